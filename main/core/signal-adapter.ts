// Adapts the real SignalClient (common/signal) to the core's SignalPort.
import { WebSocket } from 'ws';
import type { ErrorPayload } from '../../common/errors';
import type { EventPayload, EventType, RequestParams, RequestResult, RequestType } from '../../common/signal/messages';
import { SignalClient, type ClientState, type WebSocketLike } from '../../common/signal/signal-client';
import type { SignalStatus } from '../../common/studio-api';
import type { Disposable } from '../../common/typed-emitter';
import type { SignalPort } from './ports';

function statusOf(state: ClientState): SignalStatus {
  switch (state) {
    case 'open':
      return 'connected';
    case 'connecting':
    case 'reconnecting':
      return 'connecting';
    default:
      return 'disconnected';
  }
}

export interface SignalConnectOptions {
  readonly url: string;
  readonly userId: string;
  readonly token: string | (() => string | Promise<string>);
  readonly requestTimeoutMs?: number;
}

/** Connects a SignalClient (rejects with the server's error, e.g. TOKEN_INVALID) and wraps it. */
export async function connectSignal(options: SignalConnectOptions): Promise<SignalPort> {
  const client = new SignalClient({
    url: options.url,
    userId: options.userId,
    token: options.token,
    createWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
  });
  let hello;
  try {
    hello = await client.connect();
  } catch (error) {
    client.close();
    throw error;
  }
  return {
    userId: options.userId,
    initialState: hello.state,
    ...(hello.battleDurationsSec ? { battleDurationsSec: hello.battleDurationsSec } : {}),
    request: <T extends RequestType>(type: T, params: RequestParams<T>) =>
      client.request(type as Exclude<RequestType, 'hello'>, params as RequestParams<Exclude<RequestType, 'hello'>>) as Promise<RequestResult<T>>,
    on: <E extends EventType>(event: E, listener: (payload: EventPayload<E>) => void): Disposable =>
      client.events.on(event, listener as never),
    onStatus: (listener: (status: SignalStatus, error: ErrorPayload | null) => void): Disposable => {
      const a = client.events.on('state', ({ state }) => listener(statusOf(state), null));
      const b = client.events.on('close', ({ error }) => {
        if (error) listener('disconnected', error);
      });
      return {
        dispose() {
          a.dispose();
          b.dispose();
        },
      };
    },
    // The first hello's 'connected' fired inside connect(), before anyone could listen: every later one is a reconnect.
    onReconnected: (listener: (hello: RequestResult<'hello'>) => void): Disposable => client.events.on('connected', listener),
    close: async () => client.close(),
  };
}
