import { randomBytes, randomInt, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

// scrypt with OWASP's recommended cost (N=2^17, r=8, p=1) costs ~130 MB and ~300 ms a hash
// on these machines; 2^15 keeps login under 100 ms while staying memory-hard.
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(actual, expected);
}

// No 0/o, 1/l/i: read aloud or copied from a screen at the front desk without mistakes.
const READABLE = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A temporary password of 15 readable characters in three groups (~74 bits), e.g. `k7mq2-xp3tz-9wbfh`. */
export function generateTemporaryPassword(): string {
  const groups: string[] = [];
  for (let group = 0; group < 3; group += 1) {
    groups.push(Array.from({ length: 5 }, () => READABLE[randomInt(READABLE.length)]).join(''));
  }
  return groups.join('-');
}
