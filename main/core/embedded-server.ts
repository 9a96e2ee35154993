// The embedded link-mic server: LinkMicServer on 127.0.0.1 with the signal service mounted on its
// HTTP port (/signal, POST /api/dev-login), fresh signing keys per run. The studio signs itself in
// by minting its own token with the run's key.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DEV_LOGIN_PATH, SIGNAL_PATH } from '../../common/signal/messages';
import { LinkMicServer, type LogLevel } from '../../server';
import { SignalService } from '../../server/signal/signal-service';
import { adaptUrlIssuer } from '../../server/signal/url-issuer-adapter';

export interface EmbeddedServerOptions {
  readonly rtmpPort?: number;
  readonly httpPort?: number;
  readonly logLevel?: LogLevel;
  /** The server's data folder; default a temporary one removed on close. */
  readonly dataDir?: string;
}

export interface EmbeddedServer {
  readonly server: LinkMicServer;
  readonly signal: SignalService;
  readonly rtmpUrl: string;
  readonly httpUrl: string;
  /** `ws://127.0.0.1:{port}/signal` */
  readonly signalUrl: string;
  mintToken(userId: string): string;
  /** Closes the signal service (politely) and the server. Idempotent. */
  close(): Promise<void>;
}

export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const server = new LinkMicServer({
    host: '127.0.0.1',
    rtmpPort: options.rtmpPort ?? 0,
    httpPort: options.httpPort ?? 0,
    key: randomBytes(16).toString('hex'),
    logLevel: options.logLevel ?? 'warn',
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
  const signal = new SignalService(
    { tokenKey: randomBytes(24).toString('hex'), devLogin: true },
    { issuer: adaptUrlIssuer(server.urls), origin: server },
  );
  server.addUpgradeHandler(SIGNAL_PATH, (request: IncomingMessage, socket, head) => signal.handleUpgrade(request, socket, head));
  server.addRoute('POST', DEV_LOGIN_PATH, (request, response) => void signal.handleDevLogin(request, response));
  server.onClose(() => signal.close());
  try {
    await server.start();
  } catch (error) {
    await signal.close();
    await server.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    server,
    signal,
    rtmpUrl: server.rtmpUrl,
    httpUrl: server.httpUrl,
    signalUrl: `${server.wsUrl}${SIGNAL_PATH}`,
    mintToken: (userId) => signal.mintToken(userId).token,
    close: () => (closing ??= server.close()),
  };
}
