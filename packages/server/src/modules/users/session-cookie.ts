/** The dashboard's session cookie: httpOnly (scripts never see it), SameSite=Lax, Secure over https. */
export const SESSION_COOKIE = 'rt_session';

/** Cookie-authenticated writes must carry this header: other sites' forms cannot set custom headers. */
export const CSRF_HEADER = 'x-ringtrace-csrf';

export function readSessionCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export const clearedSessionCookie = (secure: boolean) => sessionCookie('', 0, secure);
