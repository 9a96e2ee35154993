// The StudioApi over the web host's WebSocket bridge: the same typed methods and events as in
// Electron. Text frames carry calls and results as JSON; binary frames carry PCM mic frames.
// Works in a browser and under Node (pass `WebSocket` from `ws` or Node's global).
import { LinkMicError } from '../../common/errors';
import {
  bridgeMessageSchema,
  createStudioClient,
  WEB_BRIDGE_PATH,
  WEB_TOKEN_PARAM,
  type StudioApi,
  type StudioEvents,
  type StudioResult,
} from '../../common/studio-api';
import { TypedEmitter } from '../../common/typed-emitter';

/** The subset of the WHATWG WebSocket the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: { data?: unknown; code?: number; reason?: string }) => void): void;
}
export type WebSocketFactory = new (url: string) => WebSocketLike;

export interface WebBridgeOptions {
  /** The host's base URL, e.g. `http://127.0.0.1:5173` (its WebSocket is at WEB_BRIDGE_PATH). */
  readonly baseUrl: string;
  readonly token: string;
  readonly WebSocket?: WebSocketFactory;
}

export interface WebBridgeClient extends StudioApi {
  /** Resolves when the socket closes (for any reason). */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

const OPEN = 1;

export function bridgeUrl(baseUrl: string, token: string): string {
  const url = new URL(WEB_BRIDGE_PATH, baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set(WEB_TOKEN_PARAM, token);
  return url.toString();
}

/** Connects and waits for the host's hello; rejects with TOKEN_INVALID when the host refuses. */
export function connectWebBridge(options: WebBridgeOptions): Promise<WebBridgeClient> {
  const Socket = options.WebSocket ?? (globalThis as unknown as { WebSocket: WebSocketFactory }).WebSocket;
  const socket = new Socket(bridgeUrl(options.baseUrl, options.token));
  socket.binaryType = 'arraybuffer';
  const events = new TypedEmitter<StudioEvents>();
  const pending = new Map<number, { resolve: (value: StudioResult<unknown>) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let resolveClosed!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));

  const client = createStudioClient(
    {
      call: (method, input) =>
        new Promise<StudioResult<unknown>>((resolve, reject) => {
          if (socket.readyState !== OPEN) {
            reject(new LinkMicError('DISCONNECTED', 'the studio connection is closed'));
            return;
          }
          const id = nextId++;
          pending.set(id, { resolve, reject });
          socket.send(JSON.stringify(input === undefined ? { id, method } : { id, method, input }));
        }),
      sendAudioFrame: (frame) => {
        if (socket.readyState === OPEN) socket.send(frame);
      },
      subscribe: (event, listener) => {
        const subscription = events.on(event, listener);
        return () => subscription.dispose();
      },
    },
    { closed, close: () => socket.close(1000, 'bye') },
  );

  return new Promise((resolve, reject) => {
    let helloSeen = false;
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let message;
      try {
        message = bridgeMessageSchema.parse(JSON.parse(event.data));
      } catch {
        return;
      }
      switch (message.type) {
        case 'hello':
          helloSeen = true;
          resolve(client);
          break;
        case 'result': {
          const entry = pending.get(message.id);
          if (!entry) return;
          pending.delete(message.id);
          entry.resolve(message.result);
          break;
        }
        case 'event':
          events.emit(message.event, message.payload as StudioEvents[typeof message.event]);
          break;
        case 'error':
          events.emit('error', { ...message.error, context: 'bridge' });
          break;
      }
    });
    socket.addEventListener('close', (event) => {
      const code = event.code ?? 1006;
      const reason = event.reason ?? '';
      for (const entry of pending.values()) entry.reject(new LinkMicError('DISCONNECTED', 'the studio connection closed'));
      pending.clear();
      resolveClosed({ code, reason });
      if (!helloSeen) reject(new LinkMicError(code === 4401 ? 'TOKEN_INVALID' : 'CONNECT_FAILED', `the studio refused the connection (${code}${reason ? `: ${reason}` : ''})`));
    });
    socket.addEventListener('error', () => {
      // 'close' follows with the details.
    });
  });
}
