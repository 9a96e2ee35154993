// Test harness for the signal service: a real http.Server on 127.0.0.1 (ephemeral port) with the
// service attached, the server's real UrlIssuer, real WebSocket clients (`ws`) and a ManualClock
// that drives timeouts without sleeping.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { TypedEmitter } from '../../common/typed-emitter';
import { SignalClient, type SignalClientEvents, type SignalClientOptions } from '../../common/signal/signal-client';
import type { EventType } from '../../common/signal/messages';
import { ManualClock } from '../signal/clock';
import type { SignalServiceOptions } from '../signal/deps';
import { SignalService } from '../signal/signal-service';
import type { SignalStore } from '../signal/signal-store';
import { adaptUrlIssuer } from '../signal/url-issuer-adapter';
import { UrlIssuer } from '../url-issuer';

export const TEST_TOKEN_KEY = 'signal-test-key-0123456789abcdef';
export const TEST_URL_KEY = 'e12c46f2612d5106e2034781ab261ca3';

export type FakeOriginEvents = {
  publish: { streamCode: string };
  unpublish: { streamCode: string; reason?: string };
};

export interface SignalTestServer {
  readonly service: SignalService;
  readonly clock: ManualClock;
  readonly origin: TypedEmitter<FakeOriginEvents>;
  readonly port: number;
  readonly wsUrl: string;
  readonly httpUrl: string;
  token(userId: string, ttlSec?: number): string;
  /** A connected SignalClient (closed by `close()`). */
  client(userId: string, options?: Partial<SignalClientOptions>): Promise<SignalClient>;
  /** A raw authenticated WebSocket, for malformed input. */
  raw(userId?: string): Promise<RawSocket>;
  /** Stops the server (a crash or restart) but leaves the clients running. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** What a test may put in place of the harness's own: a state store (a state file), a clock (one that goes on from another server's). */
export interface SignalTestDeps {
  readonly store?: SignalStore;
  readonly clock?: ManualClock;
}

export async function startSignalServer(options: Partial<SignalServiceOptions> = {}, port = 0, deps: SignalTestDeps = {}): Promise<SignalTestServer> {
  const clock = deps.clock ?? new ManualClock(Date.now());
  const origin = new TypedEmitter<FakeOriginEvents>();
  const server = http.createServer();
  let boundPort = port;
  const issuer = new UrlIssuer({
    key: TEST_URL_KEY,
    endpoint: () => ({ rtmpHost: '127.0.0.1:1935', httpHost: `127.0.0.1:${boundPort}` }),
    now: () => Math.floor(clock.now() / 1000),
  });
  const service = new SignalService(
    // The fake origin models no media by default, so the first-publish deadline of accepted guests is
    // off unless a test asks for it (signal-publish-deadline.test.ts).
    { tokenKey: TEST_TOKEN_KEY, devLogin: true, linkPublishDeadlineMs: 0, ...options },
    { issuer: adaptUrlIssuer(issuer), origin, clock, ...(deps.store ? { store: deps.store } : {}) },
  );
  const attachment = service.attachToHttpServer(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  boundPort = (server.address() as AddressInfo).port;
  const wsUrl = `ws://127.0.0.1:${boundPort}/signal`;
  const clients: SignalClient[] = [];
  const invalid: string[] = [];
  const raws: RawSocket[] = [];
  const token = (userId: string, ttlSec?: number): string => service.mintToken(userId, ttlSec).token;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      attachment.dispose();
      await service.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    })());
  return {
    service,
    clock,
    origin,
    port: boundPort,
    wsUrl,
    httpUrl: `http://127.0.0.1:${boundPort}`,
    token,
    async client(userId, overrides = {}) {
      const client = new SignalClient({
        url: wsUrl,
        userId,
        token: token(userId),
        createWebSocket: (url) => new WebSocket(url),
        reconnect: { initialMs: 20, maxMs: 200 },
        requestTimeoutMs: 5000,
        ...overrides,
      });
      clients.push(client);
      // Every server message must pass the client's schemas: collect any that does not.
      client.events.on('error', (error) => {
        if (error.code === 'INVALID_MESSAGE') invalid.push(`${userId}: ${error.message}`);
      });
      await client.connect();
      return client;
    },
    async raw(userId) {
      const socket = await RawSocket.open(wsUrl);
      raws.push(socket);
      if (userId !== undefined) {
        const answer = await socket.request({ id: 'hello', type: 'hello', userId, token: token(userId) });
        if (answer.type !== 'result') throw new Error(`hello failed: ${JSON.stringify(answer)}`);
      }
      return socket;
    },
    stop,
    async close() {
      for (const client of clients) client.close();
      for (const raw of raws) raw.close();
      await stop();
      if (invalid.length > 0) throw new Error(`the server sent messages that fail the schemas: ${invalid.join('; ')}`);
    },
  };
}

/** Polls until `condition` holds (fails after 5 s); for state that no event announces. */
export async function waitFor(condition: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Next event of a type on a client (fails after 5 s instead of hanging the test). */
export function nextEvent<K extends EventType | 'reannounced' | 'reconnecting' | 'connected' | 'close' | 'disconnected'>(
  client: SignalClient,
  type: K,
): Promise<SignalClientEvents[K]> {
  return client.events.next(type, 5000);
}

/** A bare WebSocket speaking JSON, answers matched by id. */
export class RawSocket {
  private readonly messages: Array<Record<string, unknown>> = [];
  private readonly waiters: Array<{ match: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }> = [];
  closeCode: number | undefined;
  private readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      const index = this.waiters.findIndex((w) => w.match(message));
      if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
      else this.messages.push(message);
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
  }

  static open(url: string): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new RawSocket(socket)));
      socket.once('error', reject);
    });
  }

  sendText(text: string | Buffer): void {
    this.socket.send(text);
  }

  /** Waits for the first message matching (already received or future). */
  next(match: (m: Record<string, unknown>) => boolean = () => true, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const index = this.messages.findIndex(match);
    if (index >= 0) return Promise.resolve(this.messages.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching message')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.socket.send(JSON.stringify(message));
    return this.next((m) => (m.type === 'result' || m.type === 'error') && m.id === message.id);
  }

  waitClosed(): Promise<number> {
    return this.closed;
  }

  close(): void {
    this.socket.close();
  }
}
