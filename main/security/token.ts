// Browser mode's per-launch token, apart from the web host so the CSP and token rules sit together in
// main/security/. The header name lives in shared/contract/, where renderer/client/http-transport.ts reads it too.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export { tokenHeader } from '../../shared/contract/web-host.ts';

/** A fresh random token per launch: 32 bytes, URL-safe. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison, so the token can't be guessed byte by byte from response timings. */
export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
