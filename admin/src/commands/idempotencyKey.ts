/**
 * One key per command the person means to send once (an opened dialog), so a double click
 * or a retry is answered by the API's first result. getRandomValues, unlike randomUUID,
 * works on a studio's plain-http LAN address too.
 */
export const newIdempotencyKey = (): string =>
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
