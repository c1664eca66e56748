import { randomBytes, timingSafeEqual } from 'node:crypto';
import { rendererCsp } from '../electron/security-policy.ts';

/** Header that carries the per-launch token on every /api call (EventSource can't set headers: ?token=). */
export const tokenHeader = 'x-modeldock-token';

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

/**
 * DNS-rebinding guard: a page on evil.example that rebinds its name to 127.0.0.1 sends Host: evil.example.
 * Only the loopback names with our exact port are accepted.
 */
export function isAllowedHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.toLowerCase();
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** Headers on every response: strict CSP, no sniffing, no framing, no referrer. Never any CORS header. */
export const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': rendererCsp,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};
