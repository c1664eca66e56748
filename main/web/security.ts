import { rendererCsp } from '../security/csp.ts';

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
