// The listening socket and its connections: start, outages ($admin/outage) and shutdown.
import http from 'node:http';
import { log } from './log.mjs';
import { sendJson } from './http.mjs';

let server;
let host;
let boundPort;
let outageUntil = 0;
let reopenAttempts = 0;
const sockets = new Set();

export function createListener(handler, options) {
  host = options.host;
  boundPort = options.port;
  server = http.createServer(handler);
  // Longer than .NET's pooled-connection idle timeout (1 min), so the server never closes a connection the client is
  // just about to reuse (which would fail a request for no reason the gateway could act on).
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 80_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
}

/** The port listened on (the one the OS chose for --port 0), also while an outage has the listener closed. */
export function listeningPort() {
  return boundPort;
}

export function listen(onListening) {
  server.once('error', onListenError);
  server.listen(boundPort, host, () => {
    server.off('error', onListenError);
    boundPort = server.address().port;
    onListening?.();
  });
}

function onListenError(err) {
  if (outageUntil > 0 && reopenAttempts < 50) {
    // Reopening after an outage: the port may linger for a moment; try again shortly.
    reopenAttempts++;
    setTimeout(() => listen(onReopened), 200);
    return;
  }
  log(`cannot listen on ${host}:${boundPort}: ${err.message}`);
  process.exit(1);
}

function onReopened() {
  outageUntil = 0;
  reopenAttempts = 0;
  log(`outage over, listening again on port ${boundPort}`);
}

function destroySockets(except) {
  for (const socket of sockets) {
    if (socket !== except) {
      socket.destroy();
    }
  }
}

/** POST /$admin/outage?seconds=S (already checked): down now, answered 202, listening again after S seconds. */
export function beginOutage(req, res, seconds) {
  // Close the listening socket and every other connection before answering, so that once the caller has the
  // answer a new connection is refused and pooled keep-alive connections are gone (as when a server goes down).
  outageUntil = Date.now() + seconds * 1000;
  server.close();
  destroySockets(req.socket);
  log(`outage: not listening for ${seconds} s`);
  res.once('finish', () => req.socket.destroy());
  res.setHeader('Connection', 'close');
  sendJson(res, 202, { outageSeconds: seconds, port: boundPort });
  // Not unref'd: with the listener closed this timer is what keeps the process alive until it reopens.
  setTimeout(() => listen(onReopened), seconds * 1000);
}

export function shutdown(signal) {
  log(`${signal}: shutting down`);
  server.close(() => process.exit(0));
  destroySockets();
  setTimeout(() => process.exit(0), 2000).unref();
}
