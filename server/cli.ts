// Headless link-mic server:
//   npm run server -- [--host 127.0.0.1] [--rtmp-port N] [--http-port N] [--key KEY]
//                     [--link-quota 3] [--require-play-sign] [--config file.json] …
// Settings come from flags, then LINKMIC_* environment variables, then the --config JSON file,
// then defaults. Once both ports listen it prints one JSON line on stdout:
//   {"event":"ready","rtmpUrl":"rtmp://127.0.0.1:1935","httpUrl":"http://127.0.0.1:8000",…}
// Logs go to stderr. An error escaping one connection is logged and the server keeps serving
// (server/net/last-resort.ts). SIGINT/SIGTERM close everything and exit 0. Exit codes: 2 bad flags or
// configuration (INVALID_CONFIG), 1 failed to start (e.g. PORT_IN_USE).
import { CommanderError } from 'commander';
import { LinkMicError, ValidationError, toErrorPayload } from '../common';
import { resolveConfig, UsageError } from './cli-config';
import { flagNameOf, type ServerConfig } from './config';
import { LinkMicServer } from './link-mic-server';
import { installLastResort } from './net/last-resort';

const EXIT_USAGE = 2;
const EXIT_START_FAILED = 1;
const SHUTDOWN_DEADLINE_MS = 1800;

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = resolveConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its message (or the help / version text).
      process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
    }
    if (error instanceof UsageError) {
      process.stderr.write(`linkmic-server: INVALID_CONFIG: ${error.message}\n`);
      process.exit(EXIT_USAGE);
    }
    if (error instanceof ValidationError) {
      const field = error.field ? flagNameOf(error.field) : 'config';
      process.stderr.write(`linkmic-server: ${error.code}: ${error.message.replace(`: ${error.field}:`, `: ${field}:`)}\n`);
      process.exit(EXIT_USAGE);
    }
    throw error;
  }

  const server = new LinkMicServer(config);
  // An error that escapes one connection's handler is logged; the server keeps serving.
  installLastResort(server.log);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS);
    server.close().then(
      () => {
        clearTimeout(deadline);
        process.exit(0);
      },
      (error: unknown) => {
        server.log.error({ err: error }, 'close failed');
        process.exit(0);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  try {
    const ready = await server.start();
    await server.signal.whenReady(); // [signal] state restored (state file, or joined the Redis store)
    // [hooks] an external origin: no RTMP listener here
    const rtmpPort = server.config.origin === 'embedded' ? { rtmpPort: server.rtmpPort } : {};
    process.stdout.write(`${JSON.stringify({ event: 'ready', ...ready, ...rtmpPort, httpPort: server.httpPort })}\n`);
  } catch (error) {
    const payload = toErrorPayload(error);
    process.stderr.write(`linkmic-server: ${payload.code}: ${payload.message}\n`);
    process.exit(error instanceof LinkMicError && error.code === 'INVALID_CONFIG' ? EXIT_USAGE : EXIT_START_FAILED);
  }
}

void main();
