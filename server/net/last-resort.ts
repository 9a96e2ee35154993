// The process-level last resort of the server (issue 11): every socket handler guards its own
// parse paths, but should an error still escape one connection's handler, the process logs it and
// keeps serving every other session instead of exiting. An error raised anywhere else (a timer, a
// startup path, a bug outside any connection) keeps Node's default — it is logged as fatal and the
// process exits 1 — unless another `uncaughtException` listener (the host app's) is there to decide.
//
// "Raised by one connection" is read from the error's stack: it passed through a socket, stream,
// HTTP or WebSocket event handler, or through node-media-server's per-connection session/protocol
// code. Installed by the server CLI (server/cli.ts) and the studio's embedded server.
import type { Logger } from '../../node/logger';

const CONNECTION_FRAMES = [
  /node-media-server[\\/]src[\\/](session|protocol|server)[\\/]/,
  /\bat (?:Socket|TLSSocket|WebSocket|Receiver|IncomingMessage|ServerResponse|Duplex|Readable)\.(?:emit|onData|onMessage|<anonymous>)/,
  /node:internal\/streams\/readable/,
  /node:_http_server/,
  /[\\/]ws[\\/]lib[\\/](receiver|websocket)\.js/,
];
const STACK_TRACE_LIMIT = 50;

/** True when `error` was raised while handling one connection's event (see the header). */
export function raisedByOneConnection(error: unknown): boolean {
  const stack = error instanceof Error ? error.stack : undefined;
  if (typeof stack !== 'string') return false;
  return CONNECTION_FRAMES.some((pattern) => pattern.test(stack));
}

interface Installation {
  readonly logger: Logger;
}

const installed: Installation[] = [];
let previousStackTraceLimit: number | undefined;
let survived = 0;

function onUncaught(error: unknown, origin: string): void {
  const logger = installed[installed.length - 1]?.logger;
  if (raisedByOneConnection(error)) {
    survived += 1;
    logger?.error({ err: error, origin, survived }, 'an error escaped one connection: that connection is lost, the server keeps serving');
    return;
  }
  logger?.fatal({ err: error, origin }, 'uncaught error outside any connection');
  // Another listener (the host application's) decides; alone, keep Node's default and exit.
  if (process.listenerCount('uncaughtException') > 1) return;
  process.exitCode = 1;
  process.exit(1);
}

/** Errors from one connection that the last resort caught (since the process started). */
export function lastResortCount(): number {
  return survived;
}

/**
 * Installs the last resort for this process (once, however many servers call it) and returns the
 * function that removes this installation; the handler goes when the last one is removed.
 */
export function installLastResort(logger: Logger): () => void {
  const entry: Installation = { logger };
  if (installed.length === 0) {
    previousStackTraceLimit = Error.stackTraceLimit;
    // enough frames to see the socket handler under a deep parser
    Error.stackTraceLimit = Math.max(Error.stackTraceLimit, STACK_TRACE_LIMIT);
    process.on('uncaughtException', onUncaught);
  }
  installed.push(entry);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    const index = installed.indexOf(entry);
    if (index >= 0) installed.splice(index, 1);
    if (installed.length === 0) {
      process.off('uncaughtException', onUncaught);
      if (previousStackTraceLimit !== undefined) Error.stackTraceLimit = previousStackTraceLimit;
    }
  };
}
