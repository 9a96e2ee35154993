// The embedded link-mic server: LinkMicServer on 127.0.0.1 (its signal service, mixer and viewer
// page mounted by the server itself), with a fresh signing key per run. The studio signs itself in
// by minting its own token with the server's signal key; POST /api/dev-login is off there.
import { randomBytes } from 'node:crypto';
import { SIGNAL_PATH } from '../../common/signal/messages';
import { LinkMicServer, installLastResort, type LogLevel } from '../../server';

export interface EmbeddedServerOptions {
  readonly rtmpPort?: number;
  readonly httpPort?: number;
  readonly logLevel?: LogLevel;
  /** The server's data folder; default a temporary one removed on close. */
  readonly dataDir?: string;
  /** The built audience page (dist/viewer); given explicitly because bundles cannot always locate it. */
  readonly viewerDistDir?: string;
}

export interface EmbeddedServer {
  readonly server: LinkMicServer;
  readonly rtmpUrl: string;
  readonly httpUrl: string;
  /** `ws://127.0.0.1:{port}/signal` */
  readonly signalUrl: string;
  mintToken(userId: string): string;
  /** Closes the server (its signal service first, politely). Idempotent. */
  close(): Promise<void>;
}

export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const server = new LinkMicServer({
    host: '127.0.0.1',
    rtmpPort: options.rtmpPort ?? 0,
    httpPort: options.httpPort ?? 0,
    key: randomBytes(16).toString('hex'),
    logLevel: options.logLevel ?? 'warn',
    // No HTTP dev-login: any local process could mint the streamer's token through it. The studio
    // mints its own in process (mintToken below); its signal client is a Node one (no Origin).
    signal: { devLogin: false },
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.viewerDistDir === undefined ? {} : { viewer: { distDir: options.viewerDistDir } }),
  });
  // An error that escapes one connection's handler is logged; the studio's server keeps serving.
  const removeLastResort = installLastResort(server.log);
  try {
    await server.start();
  } catch (error) {
    removeLastResort();
    await server.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    server,
    rtmpUrl: server.rtmpUrl,
    httpUrl: server.httpUrl,
    signalUrl: `${server.wsUrl}${SIGNAL_PATH}`,
    mintToken: (userId) => server.signal.mintToken(userId).token,
    close: () => (closing ??= server.close().finally(removeLastResort)),
  };
}
