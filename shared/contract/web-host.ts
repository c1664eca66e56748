// Browser mode's HTTP wire, shared by the web host (main/security, main/web) and the renderer's transport,
// which may not import main/: one header name, so the two sides can't drift apart.

/** Header that carries the per-launch token on every /api call (EventSource can't set headers: ?token=). */
export const tokenHeader = 'x-modeldock-token';
