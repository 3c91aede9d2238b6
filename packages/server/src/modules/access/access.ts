import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type Role = 'admin' | 'analyst';

/** Who is calling: an API key (or, later, a signed-in user) and what it may touch. */
export interface Principal {
  readonly kind: 'api_key' | 'user' | 'system';
  readonly id: string;
  readonly role: Role;
  /** Installation-wide: every project, and may create projects and keys. */
  readonly allProjects: boolean;
  readonly projectIds: ReadonlySet<string>;
}

/** The operator at the command line: the CLI acts with full rights on the local installation. */
export const SYSTEM_PRINCIPAL: Principal = {
  kind: 'system',
  id: 'cli',
  role: 'admin',
  allProjects: true,
  projectIds: new Set(),
};

export const canRead = (p: Principal, projectId: string): boolean =>
  p.allProjects || p.projectIds.has(projectId);
export const canWrite = (p: Principal, projectId: string): boolean =>
  p.role === 'admin' && canRead(p, projectId);
export const isInstallationAdmin = (p: Principal): boolean => p.role === 'admin' && p.allProjects;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number): string {
  // 62 does not divide 256: drop bytes ≥ 248 so every character is equally likely.
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

export interface ApiToken {
  token: string;
  prefix: string;
}

/** `rt_<8-char prefix>_<32 chars>`: the prefix finds the key, the whole token is checked by hash. */
export function generateApiToken(): ApiToken {
  const prefix = randomString(8);
  return { prefix, token: `rt_${prefix}_${randomString(32)}` };
}

const TOKEN_PATTERN = /^rt_([A-Za-z0-9]{8})_[A-Za-z0-9]{32,}$/;

export function tokenPrefix(token: string): string | undefined {
  return TOKEN_PATTERN.exec(token)?.[1];
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export function tokenMatches(token: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashToken(token), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
