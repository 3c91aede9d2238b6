import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets kept in the database (telephony providers' auth tokens and API keys) are sealed with AES-256-GCM under a
 * key derived from SECRET_KEY, so that a copy of the database alone (a backup, a dump) does not give them away.
 * Sealed text: `sealed:v1:<iv>.<tag>.<ciphertext>` in base64url. Text without the prefix is read as it is: rows
 * written before sealing existed still work, and are sealed when next written.
 */
const PREFIX = 'sealed:v1:';
const keys = new Map<string, Buffer>();

function keyFor(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'ringtrace', 'sealed secrets v1', 32));
    keys.set(secret, key);
  }
  return key;
}

export function seal(plaintext: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
  return `${PREFIX}${parts.join('.')}`;
}

/** Opens sealed text; throws when it was sealed under another SECRET_KEY or altered. */
export function unseal(text: string, secret: string): string {
  if (!text.startsWith(PREFIX)) return text;
  const [iv, tag, body] = text
    .slice(PREFIX.length)
    .split('.')
    .map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !tag || !body) throw new Error('sealed secret is malformed');
  const decipher = createDecipheriv('aes-256-gcm', keyFor(secret), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}
