import { createHmac } from 'node:crypto';

/**
 * A JWT made by hand, as an attacker would: HS256 over `secret` (the app's own, another
 * one), or unsigned with `alg: none` when `secret` is null.
 */
export function handMadeToken(payload: object, secret: string | null): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = `${encode({ alg: secret === null ? 'none' : 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${head}.${secret === null ? '' : createHmac('sha256', secret).update(head).digest('base64url')}`;
}
