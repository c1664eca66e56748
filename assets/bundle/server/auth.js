// API key check: `Authorization: Bearer <key>` or `X-API-Key: <key>` (and METRICS_TOKEN on /metrics). Both sides are hashed first so
// crypto.timingSafeEqual compares equal-length buffers and the time taken says nothing about the key.
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(text) {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The key a request presents: `Authorization: Bearer <key>`, else `X-API-Key: <key>`. */
function presentedKey(headers) {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && /^Bearer\s+/i.test(authorization)) {
    return authorization.replace(/^Bearer\s+/i, '');
  }
  return headers['x-api-key'];
}

/**
 * Returns a checker for `headers` that accepts any of `keys` (the API key; on /metrics also
 * METRICS_TOKEN, so Prometheus holds a secret that cannot score), or null when no key is configured.
 */
export function createKeyCheck(...keys) {
  const expected = keys.filter(Boolean).map(digest);
  if (expected.length === 0) return null;
  return (headers) => {
    const presented = presentedKey(headers);
    if (typeof presented !== 'string' || presented.length === 0) return false;
    const candidate = digest(presented);
    // Every key is compared, so the time taken does not say which one matched.
    let ok = false;
    for (const key of expected) ok = timingSafeEqual(candidate, key) || ok;
    return ok;
  };
}

/** Returns a checker for `headers`, or null when no API key is configured. */
export function createApiKeyCheck(apiKey) {
  return createKeyCheck(apiKey);
}
