/**
 * Content-Security-Policy for the renderer, in Electron (session header + meta) and browser mode (header).
 * No remote code, no eval, no inline scripts; React sets element styles through CSSOM, which style-src allows.
 */
export const rendererCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
