// API key check: `Authorization: Bearer <key>` or `X-API-Key: <key>`. Both sides are hashed first so
// crypto.timingSafeEqual compares equal-length buffers and the time taken says nothing about the key.
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(text) {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Returns a checker for `headers`, or null when no API key is configured. */
export function createApiKeyCheck(apiKey) {
  if (!apiKey) return null;
  const expected = digest(apiKey);
  return (headers) => {
    let presented = headers['x-api-key'];
    const authorization = headers.authorization;
    if (typeof authorization === 'string' && /^Bearer\s+/i.test(authorization)) {
      presented = authorization.replace(/^Bearer\s+/i, '');
    }
    if (typeof presented !== 'string' || presented.length === 0) return false;
    return timingSafeEqual(digest(presented), expected);
  };
}
