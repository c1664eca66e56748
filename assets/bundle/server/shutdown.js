// Stopping without dropping requests (SIGTERM from Docker, Kubernetes, Cloud Run): first stop
// accepting connections, then let every open connection finish what it is doing. A keep-alive
// connection is never cut while a client may be sending on it: its next answer carries
// `Connection: close` (app.js), and a connection that stays idle for IDLE_CLOSE_MS is closed with a
// FIN, as a keep-alive timeout would. (http.Server.close() would instead destroy idle sockets at once,
// and a client that had just sent a request on one gets a reset.)
import net from 'node:net';

/** How long a connection must have been idle before the drain closes it. */
const idleCloseMs = 1000;

/**
 * Follows the server's connections: per socket, the requests in progress and the bytes read when the
 * last one finished (more bytes since then: a request is arriving, even if its headers are not complete).
 */
export function trackConnections(server) {
  const sockets = new Map();
  server.on('connection', (socket) => {
    sockets.set(socket, { active: 0, idleSince: Date.now(), bytesAtIdle: 0 });
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (request, response) => {
    const entry = sockets.get(request.socket);
    if (!entry) return;
    entry.active += 1;
    response.once('close', () => {
      entry.active -= 1;
      entry.idleSince = Date.now();
      entry.bytesAtIdle = request.socket.bytesRead;
    });
  });
  return sockets;
}

/** Stops accepting connections; the open ones stay as they are. */
export function stopAccepting(server) {
  // net.Server's close: stop listening, leave the open connections alone (see the note at the top).
  if (server.listening) net.Server.prototype.close.call(server);
}

/**
 * Stops accepting, then waits until every connection has closed. Resolves true when all closed in
 * time, false when `timeoutMs` passed first (the rest are then destroyed).
 */
export function drainServer(server, sockets, { timeoutMs }) {
  stopAccepting(server);
  return new Promise((resolve) => {
    const started = Date.now();
    let lastTick = started;
    const tick = () => {
      const now = Date.now();
      // After a stall of the event loop (a busy machine), bytes a client sent meanwhile may still sit
      // unread in the kernel: close nothing until the loop has polled for I/O once more.
      const stalled = now - lastTick > 200;
      lastTick = now;
      for (const [socket, entry] of sockets) {
        const idle = entry.active === 0 && socket.bytesRead === entry.bytesAtIdle;
        if (!stalled && idle && now - entry.idleSince >= idleCloseMs && !socket.writableEnded) socket.end();
      }
      if (sockets.size === 0) return resolve(true);
      if (now - started >= timeoutMs) {
        for (const socket of sockets.keys()) socket.destroy();
        return resolve(false);
      }
      setTimeout(tick, 25);
    };
    tick();
  });
}
