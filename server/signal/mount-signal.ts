// Mounts the signal service on a LinkMicServer's shared HTTP port: WebSocket upgrades on /signal,
// POST /api/dev-login, the server's UrlIssuer and origin publish/unpublish events. A fresh service
// (fresh state) per start of the server; the server's close closes it first, politely (code 4500),
// so clients reconnect with backoff and re-announce.
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { TypedEmitter, type Disposable } from '../../common/typed-emitter';
import { DEV_LOGIN_PATH, SIGNAL_PATH } from '../../common/signal/messages';
import type { OriginEventsLike, SignalLogger, SignalServiceOptions } from './deps';
import type { Clock } from './clock';
import { FileSignalStore } from './file-signal-store';
import { MemorySignalStore } from './memory-signal-store';
import { RedisSignalStore } from './redis-signal-store';
import { SignalService } from './signal-service';
import type { SignalStore } from './signal-store';
import { isLoopbackHost } from '../../node/loopback';
import { adaptUrlIssuer, type ServerUrlIssuer } from './url-issuer-adapter';

export interface MountSignalOptions extends Partial<Omit<SignalServiceOptions, 'devLogin'>> {
  /** Serve POST /api/dev-login. Default: on when the server binds a loopback address only. */
  readonly devLogin?: boolean;
  readonly clock?: Clock;
  /** One node: save the state to this file and restore it after a restart (file-signal-store.ts). */
  readonly stateFile?: string;
  /** Several nodes: share the state through this Redis (redis-signal-store.ts). */
  readonly redisUrl?: string;
  /** This node's name among the signalling nodes (Redis). */
  readonly nodeId?: string;
}

/** The parts of LinkMicServer the signal service uses (structural, to keep the dependency one-way). */
export interface SignalHostServer {
  readonly config: { readonly host: string; readonly key?: string | undefined; readonly linkQuota?: number };
  readonly urls: ServerUrlIssuer;
  readonly events: OriginEventsLike & { on(event: 'ready', listener: () => void): Disposable };
  readonly running: boolean;
  listStreams(): ReadonlyArray<{ readonly streamCode: string; readonly sessionId: number | null }>;
  readonly log: { info(fields: object, message: string): void; warn(fields: object, message: string): void; child(bindings: object): SignalHostServer['log'] };
  addRoute(method: 'POST', pathPrefix: string, handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Disposable;
  addUpgradeHandler(pathPrefix: string, handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): Disposable;
  onClose(hook: () => void | Promise<void>): Disposable;
}

export class MountedSignal implements Disposable {
  private current: SignalService | undefined;
  /** [mixer] Battle changes of whichever service is running (each start makes a fresh one). */
  private readonly battleChanges = new TypedEmitter<{ change: readonly string[] }>();
  private readonly disposables: Disposable[] = [];
  private readonly tokenKey: string;
  private readonly devLogin: boolean;

  constructor(
    private readonly server: SignalHostServer,
    private readonly options: MountSignalOptions = {},
  ) {
    this.tokenKey = options.tokenKey ?? deriveTokenKey(server.config.key);
    this.devLogin = options.devLogin ?? isLoopbackHost(server.config.host);
    this.disposables.push(
      server.addUpgradeHandler(SIGNAL_PATH, (req, socket, head) => {
        if (this.current) this.current.handleUpgrade(req, socket, head);
        else socket.destroy();
      }),
      server.addRoute('POST', DEV_LOGIN_PATH, (req, res) => this.require().handleDevLogin(req, res)),
      server.events.on('ready', () => this.start()),
      server.onClose(() => this.stop()),
    );
    if (server.running) this.start();
  }

  /** The running service (throws NOT_LISTENING while the server is stopped). */
  get service(): SignalService | undefined {
    return this.current;
  }

  /** Resolves once the running service restored its state and takes connections (Redis: joined the store). */
  whenReady(): Promise<void> {
    return this.current?.ready ?? Promise.reject(new Error('the signal service is not running'));
  }

  /** [mixer] Calls `listener` with a PK's two room ids whenever its battle changes or ends, across restarts. */
  onBattleChange(listener: (roomIds: readonly string[]) => void): Disposable {
    return this.battleChanges.on('change', listener);
  }

  /** Mints a login token with this server's signal key (what dev login does). */
  mintToken(userId: string, ttlSec?: number): { token: string; expiresAt: number } {
    return this.require().mintToken(userId, ttlSec);
  }

  private require(): SignalService {
    if (!this.current) throw new Error('the signal service is not running');
    return this.current;
  }

  private start(): void {
    if (this.current) return;
    const log = this.server.log.child({ component: 'signal' });
    const logger: SignalLogger = { info: (message, fields) => log.info(fields ?? {}, message), warn: (message, fields) => log.warn(fields ?? {}, message) };
    const { clock, stateFile, redisUrl, nodeId, ...serviceOptions } = this.options;
    const store = createStore({ stateFile, redisUrl, nodeId }, logger);
    const deps = {
      issuer: adaptUrlIssuer(this.server.urls),
      origin: this.server.events,
      logger,
      store,
      sessionClaimedAtOrigin: (sessionId: number, exceptStreamCode: string) =>
        this.server.listStreams().some((stream) => stream.sessionId === sessionId && stream.streamCode !== exceptStreamCode),
    };
    this.current = new SignalService(
      { linkQuota: this.server.config.linkQuota, ...serviceOptions, tokenKey: this.tokenKey, devLogin: this.devLogin, loopbackOnly: isLoopbackHost(this.server.config.host) },
      clock === undefined ? deps : { ...deps, clock },
    );
    this.current.hub.onBattleChange((roomIds) => this.battleChanges.emit('change', roomIds));
    this.current.ready.catch((error: unknown) => log.warn({ err: error }, 'signal: the state store failed to open'));
  }

  private async stop(): Promise<void> {
    const service = this.current;
    this.current = undefined;
    await service?.close();
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    void this.stop();
  }
}

/** The store the options ask for: Redis (several nodes), a state file (one node), or memory. */
function createStore(options: { stateFile: string | undefined; redisUrl: string | undefined; nodeId: string | undefined }, logger: SignalLogger): SignalStore {
  if (options.redisUrl !== undefined) return new RedisSignalStore(options.nodeId === undefined ? { url: options.redisUrl, logger } : { url: options.redisUrl, nodeName: options.nodeId, logger });
  if (options.stateFile !== undefined) return new FileSignalStore({ file: options.stateFile, logger });
  return new MemorySignalStore();
}

/**
 * The signal token key: given explicitly, or derived from the server's signing key
 * (hex HMAC-SHA256(key, "linkmic-signal-token-v1"), so one secret configures both and they differ),
 * or random per process when the server has no key (tokens then come from dev login only).
 */
export function deriveTokenKey(serverKey: string | undefined): string {
  if (serverKey === undefined) return randomBytes(32).toString('hex');
  return createHmac('sha256', serverKey).update('linkmic-signal-token-v1').digest('hex');
}
