// Reaches the link-mic server the settings name: the embedded one (started here, on 127.0.0.1)
// or a remote one (its URL + the user's stored token), and signs in over the signal WebSocket.
import { LinkMicError } from '../../common/errors';
import { SIGNAL_PATH } from '../../common/signal/messages';
import type { LogLevel } from '../../server';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server';
import type { ServerConnection, ServerConnector } from './ports';
import { connectSignal } from './signal-adapter';

export interface ServerConnectorOptions {
  readonly serverLogLevel?: LogLevel;
  /** The built audience page (dist/viewer) for the embedded server. */
  readonly viewerDistDir?: string;
  /** Called with the embedded server once it runs (diagnostics, tests). */
  readonly onEmbeddedServer?: (server: EmbeddedServer) => void;
}

export function signalUrlOf(httpUrl: string): string {
  const url = new URL(SIGNAL_PATH, httpUrl.endsWith('/') ? httpUrl : `${httpUrl}/`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export function createServerConnector(options: ServerConnectorOptions = {}): ServerConnector {
  return async ({ profile, userId, token }): Promise<ServerConnection> => {
    if (profile.kind === 'remote') {
      if (!token) throw new LinkMicError('TOKEN_MISSING', 'the remote server needs your token (Settings → Server)', { field: 'token' });
      const signal = await connectSignal({ url: signalUrlOf(profile.httpUrl), userId, token });
      let closing: Promise<void> | undefined;
      return { kind: 'remote', httpUrl: profile.httpUrl, rtmpUrl: null, signal, close: () => (closing ??= signal.close()) };
    }
    const embedded = await startEmbeddedServer({
      rtmpPort: profile.rtmpPort,
      httpPort: profile.httpPort,
      logLevel: options.serverLogLevel ?? 'warn',
      ...(options.viewerDistDir === undefined ? {} : { viewerDistDir: options.viewerDistDir }),
    });
    options.onEmbeddedServer?.(embedded);
    let signal;
    try {
      signal = await connectSignal({ url: embedded.signalUrl, userId, token: () => embedded.mintToken(userId) });
    } catch (error) {
      await embedded.close();
      throw error;
    }
    let closing: Promise<void> | undefined;
    return {
      kind: 'embedded',
      httpUrl: embedded.httpUrl,
      rtmpUrl: embedded.rtmpUrl,
      signal,
      close: () =>
        (closing ??= (async () => {
          await signal.close();
          await embedded.close();
        })()),
    };
  };
}
