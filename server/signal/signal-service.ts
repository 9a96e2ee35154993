// The signal service: WebSocket `/signal` on the server's HTTP port (plus POST /api/dev-login).
// Owns the connections (signal-connection.ts) and the state machines (signal-hub.ts). Mounted by
// LinkMicServer through `handleUpgrade` / `handleDevLogin`, or standalone with `attachToHttpServer`.
import { DEFAULT_LINK_QUOTA, MAX_LINK_QUOTA } from '../../common/link-quota';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { LinkMicError, toErrorPayload } from '../../common/errors';
import { DEV_LOGIN_PATH, SIGNAL_PATH, devLoginRequestSchema, type ClientMessage, type DevLoginResponse, type RequestResult } from '../../common/signal/messages';
import { TypedEmitter, type Disposable } from '../../common/typed-emitter';
import { systemClock, type Clock } from './clock';
import type { SignalLogger, SignalServiceDeps, SignalServiceOptions } from './deps';
import { MemorySignalStore } from './memory-signal-store';
import { HEARTBEAT_SLOTS, SignalConnection, type ConnectionHost } from './signal-connection';
import { DEFAULT_STREAM_CODE_CLAIMS, SignalHub } from './signal-hub';
import type { SignalCommand, SignalStore, SignalStoreHost } from './signal-store';
import { DEFAULT_SIGNAL_LIMITS, SignalLimiter, type SignalLimits } from './signal-limiter';
import { TokenBucket } from './token-bucket';
import { mintUserToken, verifyUserToken } from './user-sig';
import { readBody } from '../http/read-body';
import { originAllowed, requireAllowedOrigin, requireJsonContentType, requireLoopbackHost } from '../http/request-guard';

export const SIGNAL_DEFAULTS = {
  devLoginTtlSec: 24 * 3600,
  /** Largest dev-login body (a user id and a lifetime fit in far less). */
  devLoginMaxBodyBytes: 1024,
  requestTimeoutMs: 30_000,
  graceMs: 30_000,
  mediaLossMs: 5_000,
  linkPublishDeadlineMs: 20_000,
  linkQuota: DEFAULT_LINK_QUOTA,
  maxMessageBytes: 64 * 1024,
  rateLimit: { burst: 100, perSecond: 50 },
  helloTimeoutMs: 10_000,
  /** Client-side mix unless a room asks for a server-side one (spec §7). */
  defaultServerMix: null,
  heartbeatMs: 30_000,
  /** PK battles: the result phase, the per-viewer vote limit and the score broadcast interval. */
  battleResultMs: 10_000,
  voteRateLimit: { burst: 20, perSecond: 5 },
  scoreFlushMs: 250,
} as const;

/** Close code of a connection refused by a limit (after its RATE_LIMITED answer). */
export const CLOSE_RATE_LIMITED = 4429;

/** Hard frame ceiling in `ws` (beyond it `ws` closes with 1009); the 64 KiB rule is checked by us. */
const WS_MAX_PAYLOAD = 1024 * 1024;

export type SignalServiceEvents = {
  connection: { userId: string };
  close: undefined;
};

const silentLogger: SignalLogger = { info: () => undefined, warn: () => undefined };

function cryptoRandom32(): number {
  return randomBytes(4).readUInt32BE(0);
}

export class SignalService implements ConnectionHost, SignalStoreHost {
  readonly events = new TypedEmitter<SignalServiceEvents>();
  readonly hub: SignalHub;
  /** Where the state lives: memory (default), a state file, or Redis shared by several nodes. */
  readonly store: SignalStore;
  /** Resolves once the saved state is restored and the service takes connections. */
  readonly ready: Promise<void>;
  private isReady = false;
  /** Live connections of this process by id (commands name them so). */
  private readonly byId = new Map<string, SignalConnection>();
  readonly maxMessageBytes: number;
  readonly maxBufferedBytes = 8 * 1024 * 1024;
  readonly helloTimeoutMs: number;
  private readonly wss: WebSocketServer;
  private readonly clock: Clock;
  private readonly connections = new Set<SignalConnection>();
  private readonly subscriptions: Disposable[] = [];
  private readonly heartbeat: ReturnType<typeof setInterval>;
  /** Limits shared across connections (per user, per IP address). */
  readonly limiter: SignalLimiter;
  private readonly options: Required<Omit<SignalServiceOptions, 'tokenKey'>> & { tokenKey: string };
  private readonly logger: SignalLogger;
  /** Connections counted against a user's connection limit, and as whom. */
  private readonly countedUsers = new Map<SignalConnection, string>();
  private readonly sessionClaimedAtOrigin: (sessionId: number, exceptStreamCode: string) => boolean;
  private closed = false;
  private heartbeatTick = 0;

  constructor(options: SignalServiceOptions, deps: SignalServiceDeps) {
    if (options.tokenKey.length < 16) throw new LinkMicError('INVALID_CONFIG', 'the signal token key must be at least 16 characters', { field: 'tokenKey' });
    const linkQuota = options.linkQuota ?? SIGNAL_DEFAULTS.linkQuota;
    if (!Number.isInteger(linkQuota) || linkQuota < 1 || linkQuota > MAX_LINK_QUOTA) {
      throw new LinkMicError('INVALID_CONFIG', `the link quota must be 1..${MAX_LINK_QUOTA}, got ${linkQuota}`, { field: 'linkQuota' });
    }
    this.options = {
      tokenKey: options.tokenKey,
      devLogin: options.devLogin ?? false,
      devLoginTtlSec: options.devLoginTtlSec ?? SIGNAL_DEFAULTS.devLoginTtlSec,
      allowOrigins: options.allowOrigins ?? [],
      loopbackOnly: options.loopbackOnly ?? false,
      requestTimeoutMs: options.requestTimeoutMs ?? SIGNAL_DEFAULTS.requestTimeoutMs,
      graceMs: options.graceMs ?? SIGNAL_DEFAULTS.graceMs,
      mediaLossMs: options.mediaLossMs ?? SIGNAL_DEFAULTS.mediaLossMs,
      linkPublishDeadlineMs: options.linkPublishDeadlineMs ?? SIGNAL_DEFAULTS.linkPublishDeadlineMs,
      linkQuota,
      maxMessageBytes: options.maxMessageBytes ?? SIGNAL_DEFAULTS.maxMessageBytes,
      rateLimit: options.rateLimit ?? SIGNAL_DEFAULTS.rateLimit,
      limits: { ...DEFAULT_SIGNAL_LIMITS, ...options.limits },
      helloTimeoutMs: options.helloTimeoutMs ?? SIGNAL_DEFAULTS.helloTimeoutMs,
      defaultServerMix: options.defaultServerMix ?? SIGNAL_DEFAULTS.defaultServerMix,
      heartbeatMs: options.heartbeatMs ?? SIGNAL_DEFAULTS.heartbeatMs,
      battleResultMs: options.battleResultMs ?? SIGNAL_DEFAULTS.battleResultMs,
      battleTestDurationSec: options.battleTestDurationSec ?? null,
      voteRateLimit: options.voteRateLimit ?? SIGNAL_DEFAULTS.voteRateLimit,
      maxStreamCodesPerUser: options.maxStreamCodesPerUser ?? DEFAULT_STREAM_CODE_CLAIMS.maxPerUser,
      streamCodeIdleExpiryMs: options.streamCodeIdleExpiryMs ?? DEFAULT_STREAM_CODE_CLAIMS.idleExpiryMs,
    };
    const { maxStreamCodesPerUser, streamCodeIdleExpiryMs } = this.options;
    if (!Number.isInteger(maxStreamCodesPerUser) || maxStreamCodesPerUser < 1) {
      throw new LinkMicError('INVALID_CONFIG', `the stream codes per user must be a positive integer, got ${maxStreamCodesPerUser}`, { field: 'maxStreamCodesPerUser' });
    }
    if (!(streamCodeIdleExpiryMs > 0)) {
      throw new LinkMicError('INVALID_CONFIG', `the stream code idle expiry must be positive, got ${streamCodeIdleExpiryMs}`, { field: 'streamCodeIdleExpiryMs' });
    }
    const testDuration = this.options.battleTestDurationSec;
    if (testDuration !== null && (!Number.isInteger(testDuration) || testDuration < 1 || testDuration > 600)) {
      throw new LinkMicError('INVALID_CONFIG', `the test-only PK battle duration must be 1..600 s, got ${testDuration}`, { field: 'battleTestDurationSec' });
    }
    this.maxMessageBytes = this.options.maxMessageBytes;
    this.limiter = new SignalLimiter(this.options.limits as SignalLimits, () => this.clock.now());
    this.helloTimeoutMs = this.options.helloTimeoutMs;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.store = deps.store ?? new MemorySignalStore();
    this.hub = new SignalHub(
      {
        requestTimeoutMs: this.options.requestTimeoutMs,
        graceMs: this.options.graceMs,
        mediaLossMs: this.options.mediaLossMs,
        // Without the origin's publish events the service cannot tell a guest that publishes from one that never does.
        linkPublishDeadlineMs: deps.origin && this.options.linkPublishDeadlineMs > 0 ? this.options.linkPublishDeadlineMs : null,
        linkQuota,
        defaultServerMix: this.options.defaultServerMix,
        battles: {
          resultMs: this.options.battleResultMs,
          testDurationSec: this.options.battleTestDurationSec,
          voteRateLimit: this.options.voteRateLimit,
          scoreFlushMs: SIGNAL_DEFAULTS.scoreFlushMs,
        },
        streamCodeClaims: { maxPerUser: maxStreamCodesPerUser, idleExpiryMs: streamCodeIdleExpiryMs },
      },
      deps.issuer,
      this.store.hubClock(this.clock),
      this.store.hubRandom(deps.random ?? cryptoRandom32),
      this.logger,
    );
    this.sessionClaimedAtOrigin = deps.sessionClaimedAtOrigin ?? (() => false);
    if (deps.origin) {
      this.subscriptions.push(deps.origin.on('publish', (event) => this.runQuietly({ op: 'published', streamCode: event.streamCode })));
      this.subscriptions.push(deps.origin.on('unpublish', (event) => this.runQuietly({ op: 'unpublished', streamCode: event.streamCode })));
    }
    const opened = this.store.open(this);
    this.ready = Promise.resolve(opened).then(() => {
      this.isReady = true;
    });
    if (opened === undefined) this.isReady = true;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD, perMessageDeflate: false, clientTracking: false });
    this.wss.on('connection', (socket, request: IncomingMessage) => {
      const ip = request.socket.remoteAddress ?? 'unknown';
      if (!this.limiter.openIp(ip)) {
        // Answered, not silent: the stable code, then close 4429.
        socket.send(JSON.stringify({ type: 'error', id: null, error: new LinkMicError('RATE_LIMITED', `too many connections from this address (at most ${this.limiter.limits.maxConnectionsPerIp})`).toPayload() }));
        socket.close(CLOSE_RATE_LIMITED, 'too many connections');
        return;
      }
      const connection = new SignalConnection(socket, this, ip);
      this.connections.add(connection);
      this.byId.set(connection.connectionId, connection);
    });
    // Dead-peer detection on real time (independent of the injected clock), spread over slots so
    // 10 000 connections are not all pinged in the same instant.
    this.heartbeat = setInterval(() => this.sweep(), Math.max(1, this.options.heartbeatMs / HEARTBEAT_SLOTS));
    this.heartbeat.unref();
  }

  get devLoginEnabled(): boolean {
    return this.options.devLogin;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Mints a login token for `userId` (what dev login does; operators use the same formula). */
  mintToken(userId: string, ttlSec = this.options.devLoginTtlSec): { token: string; expiresAt: number } {
    const expiresAt = Math.floor(this.clock.now() / 1000) + ttlSec;
    return { token: mintUserToken(this.options.tokenKey, userId, expiresAt), expiresAt };
  }

  /** Takes over an HTTP upgrade whose path is /signal. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    if (!this.isReady) {
      // The state is still being restored (Redis): take the socket once it is.
      this.ready.then(
        () => this.handleUpgrade(request, socket, head),
        () => socket.destroy(),
      );
      return;
    }
    if (!originAllowed(request, this.options)) {
      // A browser page of another site (or a DNS-rebinding one): refused before the upgrade.
      const body = JSON.stringify({ error: new LinkMicError('ORIGIN_NOT_ALLOWED', `origin ${request.headers.origin ?? ''} is not allowed`).toPayload() });
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
  }

  /** POST /api/dev-login `{ userId, ttlSec? }` → `{ userId, token, expiresAt }`; 404 when disabled. */
  async handleDevLogin(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (!this.options.devLogin) {
      reply(404, { error: new LinkMicError('NOT_ALLOWED', 'dev login is disabled on this server').toPayload() });
      return;
    }
    if (request.method !== 'POST') {
      reply(405, { error: new LinkMicError('NOT_ALLOWED', 'use POST').toPayload() });
      return;
    }
    try {
      // Only this machine's own, non-browser or allowed callers: Host (DNS rebinding), Origin (other
      // sites' pages), JSON only (no CORS-simple form posts), a small body.
      requireLoopbackHost(request);
      requireAllowedOrigin(request, this.options);
      requireJsonContentType(request);
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > SIGNAL_DEFAULTS.devLoginMaxBodyBytes) throw new LinkMicError('MESSAGE_TOO_LARGE', `body is limited to ${SIGNAL_DEFAULTS.devLoginMaxBodyBytes} bytes`);
      const text = await readBody(request, SIGNAL_DEFAULTS.devLoginMaxBodyBytes);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new LinkMicError('INVALID_MESSAGE', 'body is not valid JSON');
      }
      const parsed = devLoginRequestSchema.safeParse(json);
      if (!parsed.success) {
        const field = parsed.error.issues[0]?.path.join('.') || 'body';
        throw new LinkMicError('INVALID_ARGUMENT', `${field}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { field });
      }
      const minted = this.mintToken(parsed.data.userId, parsed.data.ttlSec);
      const body: DevLoginResponse = { userId: parsed.data.userId, token: minted.token, expiresAt: minted.expiresAt };
      reply(200, body);
    } catch (error) {
      const payload = toErrorPayload(error);
      reply(DEV_LOGIN_STATUS[payload.code] ?? 400, { error: payload });
    }
  }

  /**
   * Standalone mounting on a plain `http.Server` (tests, or a signal-only process): takes upgrades
   * on /signal and POST /api/dev-login; leaves every other path to the server's other listeners.
   */
  attachToHttpServer(server: Server): Disposable {
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
      if (pathOf(request) === SIGNAL_PATH) this.handleUpgrade(request, socket, head);
      else if (server.listenerCount('upgrade') === 1) socket.destroy();
    };
    const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
      if (pathOf(request) === DEV_LOGIN_PATH) void this.handleDevLogin(request, response);
      else if (server.listenerCount('request') === 1) {
        response.writeHead(404).end();
      }
    };
    server.on('upgrade', onUpgrade);
    server.on('request', onRequest);
    return {
      dispose: () => {
        server.off('upgrade', onUpgrade);
        server.off('request', onRequest);
      },
    };
  }

  // ConnectionHost ------------------------------------------------------------------------------

  now(): number {
    return this.clock.now();
  }

  admitMessage(connection: SignalConnection): 'ok' | 'ip' | 'user' {
    return this.limiter.take(connection.remoteAddress, connection.isAuthenticated ? connection.userId : undefined);
  }

  createBucket(): TokenBucket {
    return new TokenBucket(this.options.rateLimit, this.clock.now());
  }

  setTimeout(callback: () => void, ms: number) {
    return this.clock.setTimeout(callback, ms);
  }

  authenticate(connection: SignalConnection, userId: string, token: string): RequestResult<'hello'> | Promise<RequestResult<'hello'>> {
    const expiresAt = verifyUserToken(this.options.tokenKey, userId, token, this.clock.now());
    if (!this.countedUsers.has(connection)) {
      if (!this.limiter.openUser(userId)) {
        throw new LinkMicError('RATE_LIMITED', `user ${userId} already has ${this.limiter.limits.maxConnectionsPerUser} connections open`, { field: 'userId' });
      }
      this.countedUsers.set(connection, userId);
    }
    // The token's expiry holds on the open connection too, not only at hello.
    connection.expireAt(expiresAt * 1000);
    const answer = (attached: ReturnType<SignalHub['attach']>): RequestResult<'hello'> => {
      this.events.emit('connection', { userId });
      return { userId, resumed: attached.resumed, graceMs: this.options.graceMs, serverTime: this.clock.now(), state: attached.state, battleDurationsSec: this.hub.battles.durations };
    };
    const attached = this.store.run({ op: 'attach', peer: this.refOf(connection), userId }) as ReturnType<SignalHub['attach']> | Promise<ReturnType<SignalHub['attach']>>;
    return attached instanceof Promise ? attached.then(answer) : answer(attached);
  }

  dispatch(connection: SignalConnection, message: ClientMessage): unknown {
    const userId = connection.userId;
    // [viewer] read-only viewers (tokens minted for `viewer.*` ids by the web viewer) may only watch
    if (isReadOnlyViewer(userId) && !READ_ONLY_REQUESTS.has(message.type)) {
      throw new LinkMicError('NOT_ALLOWED', `a read-only viewer cannot send ${message.type}`, { field: 'type' });
    }
    if (message.type === 'ping') return { serverTime: this.clock.now() };
    if (message.type === 'room.open' && message.sessionId !== undefined && this.sessionClaimedAtOrigin(message.sessionId, message.streamCode)) {
      // A session_id another live stream already pushes under is never handed out (a stranger
      // pushing first under a guessed session_id must not end up in the new room). Decided here,
      // before the store orders the command, so every node applies the same request.
      const { sessionId: _claimed, ...rest } = message;
      return this.store.run({ op: 'request', userId, message: rest });
    }
    // C2C changes no state: it runs on this node and reaches other nodes' sockets directly.
    if (message.type === 'c2c.send') return this.store.direct(() => this.hub.sendC2C(userId, message));
    return this.store.run({ op: 'request', userId, message });
  }

  // SignalStoreHost -------------------------------------------------------------------------------

  localConnection(connectionId: string): SignalConnection | undefined {
    return this.byId.get(connectionId);
  }

  /** Runs one command against the hub: the store calls this (on every node, in the same order). */
  apply(command: SignalCommand): unknown {
    switch (command.op) {
      case 'attach':
        return this.hub.attach(this.store.peerOf(command.peer, command.userId));
      case 'detach': {
        const peer = this.store.release(command.peer);
        if (peer) this.hub.detach(peer);
        return undefined;
      }
      case 'request':
        return this.applyRequest(command.userId, command.message);
      case 'published':
        return this.hub.onStreamPublished(command.streamCode);
      case 'unpublished':
        return this.hub.onStreamUnpublished(command.streamCode);
      case 'node-down':
        for (const ref of this.store.peersOn(command.node)) this.apply({ op: 'detach', peer: ref });
        return undefined;
      case 'tick':
        return undefined;
    }
  }

  /** A request, once ordered by the store. */
  private applyRequest(userId: string, message: ClientMessage): unknown {
    const hub = this.hub;
    switch (message.type) {
      case 'hello':
        throw new LinkMicError('INVALID_STATE', 'already authenticated');
      case 'ping':
        return { serverTime: this.clock.now() };
      case 'c2c.send':
        return hub.sendC2C(userId, message);
      case 'room.open':
        return hub.openRoom(userId, message);
      case 'room.update':
        return hub.updateRoom(userId, message);
      case 'room.close':
        return hub.closeRoomByHost(userId, message);
      case 'room.join':
        return hub.joinRoom(userId, message);
      case 'room.leave':
        return hub.leaveRoom(userId, message);
      case 'link.request':
        return hub.requestLink(userId, message);
      case 'link.cancel':
        return hub.cancelLinkRequest(userId, message);
      case 'link.accept':
        return hub.acceptLinkRequest(userId, message);
      case 'link.reject':
        return hub.rejectLinkRequest(userId, message);
      case 'link.hangup':
        return hub.hangUp(userId, message);
      case 'link.kick':
        return hub.kick(userId, message);
      case 'pk.invite':
        return hub.invitePk(userId, message);
      case 'pk.cancel':
        return hub.cancelPkInvite(userId, message);
      case 'pk.accept':
        return hub.acceptPkInvite(userId, message);
      case 'pk.reject':
        return hub.rejectPkInvite(userId, message);
      case 'pk.end':
        return hub.endPkByHost(userId, message);
      case 'pk.vote':
        return hub.battles.vote(userId, message);
      case 'pk.rematch':
        return hub.battles.rematch(userId, message);
      case 'layout.set':
        return hub.setLayout(userId, message);
    }
  }

  connectionClosed(connection: SignalConnection): void {
    if (!this.connections.has(connection)) return;
    this.connections.delete(connection);
    this.limiter.closeIp(connection.remoteAddress);
    const countedAs = this.countedUsers.get(connection);
    if (countedAs !== undefined) {
      this.countedUsers.delete(connection);
      this.limiter.closeUser(countedAs);
    }
    if (connection.isAuthenticated) this.runQuietly({ op: 'detach', peer: this.refOf(connection) });
    this.byId.delete(connection.connectionId);
  }

  private refOf(connection: SignalConnection): { node: string; connection: string } {
    return { node: this.store.nodeId, connection: connection.connectionId };
  }

  /** Runs a command nobody waits for; a failure is logged. */
  private runQuietly(command: SignalCommand): void {
    try {
      const result = this.store.run(command);
      if (result instanceof Promise) result.catch((error: unknown) => this.logger.warn('signal: command failed', { op: command.op, error: String(error) }));
    } catch (error) {
      this.logger.warn('signal: command failed', { op: command.op, error: String(error) });
    }
  }

  /** Drops every connection of a user (an operator kick, or a test of network loss). Returns how many. */
  disconnectUser(userId: string): number {
    let count = 0;
    for (const connection of this.connections) {
      if (connection.isAuthenticated && connection.userId === userId) {
        connection.socket.terminate();
        count += 1;
      }
    }
    return count;
  }

  /** Pings one slot of the connections; one that did not answer its previous ping is dropped. */
  private sweep(): void {
    const slot = this.heartbeatTick++ % HEARTBEAT_SLOTS;
    for (const connection of this.connections) {
      if (connection.heartbeatSlot !== slot) continue;
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }

  /** Closes every connection (code 4500) and drops all state; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const subscription of this.subscriptions) subscription.dispose();
    const closing = [...this.connections].map(
      (connection) =>
        new Promise<void>((resolve) => {
          if (connection.socket.readyState === connection.socket.CLOSED) return resolve();
          connection.socket.once('close', () => resolve());
          connection.close(4500, 'server shutting down');
          setTimeout(() => {
            connection.socket.terminate();
            resolve();
          }, 1000).unref();
        }),
    );
    await Promise.all(closing);
    await this.store.close();
    this.hub.dispose();
    this.wss.close();
    this.events.emit('close', undefined);
  }
}

/** [viewer] User ids of read-only viewers (the web viewer at /watch/{room}). */
export const READ_ONLY_VIEWER_PREFIX = 'viewer.';
const READ_ONLY_REQUESTS: ReadonlySet<string> = new Set(['ping', 'room.join', 'room.leave', 'pk.vote']);

export function isReadOnlyViewer(userId: string): boolean {
  return userId.startsWith(READ_ONLY_VIEWER_PREFIX);
}

/** HTTP status of a refused dev-login by error code (400 otherwise). */
const DEV_LOGIN_STATUS: Partial<Record<string, number>> = {
  MESSAGE_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HOST_NOT_ALLOWED: 421,
  ORIGIN_NOT_ALLOWED: 403,
};

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
