// LinkMicServer — the composition root of the link-mic service: the origin (RTMP + HTTP-FLV +
// WS-FLV, policy), the HTTP API, and one HTTP port shared with whatever else mounts on it
// (signalling WebSocket at /signal, viewer pages at /watch/{room}, …).
//
// Public API (names are stable; the signalling service and the mixer build on them):
//   new LinkMicServer(options?: LinkMicServerOptions)     options: ServerConfigInput (config.ts) + logger
//   start(): Promise<{ rtmpUrl, httpUrl }>                resolves once both ports listen; rejects with
//                                                         PORT_IN_USE / NOT_LISTENING (never exits)
//   close(): Promise<void>                                idempotent; runs onClose hooks, then leaves no
//                                                         socket, session, timer or NMS state behind.
//                                                         The server may be started again afterwards.
//   rtmpUrl / httpUrl / wsUrl                             base URLs with the real ports ("rtmp://h:p", …)
//   rtmpPort / httpPort / endpoint / dataDir / config / log
//   urls: UrlIssuer                                       signed push / link / audience URLs (url-issuer.ts)
//   addRoute(method, pathPrefix, handler): Disposable     handler(req, res, url); longest prefix wins
//   addUpgradeHandler(pathPrefix, handler): Disposable    handler(req, socket, head, url), e.g. ws
//                                                         `wss.handleUpgrade` for /signal
//   onClose(hook): Disposable                             hook runs first in close() (close your
//                                                         WebSockets politely there)
//   on(event, listener) / once / events                   typed events, below
//   listStreams(): LiveStreamInfo[]   getStream(code)     live streams (code, session_id, layer, t_id, …)
//   listPlays(): PlayInfo[]           linkCount(sessionId)
//   closeStream(streamCode, reason?): boolean             disconnects the publisher
//   closePlay(playId, reason?): boolean                   disconnects one link or audience play
//   stats(): OriginStats                                  counters (refusals by code, drops, …)
//
// Events (origin-types.ts):
//   publish   { streamCode, sessionId?, layer?, templateId?, sessionKey, protocol, remote, startedAt }
//   unpublish { streamCode, sessionKey, reason: 'closed'|'timeout'|'kicked'|'server-closed' }
//   play      { playId, streamCode, kind: 'link'|'audience', sessionId?, protocol, remote, startedAt }
//   stop      { playId, streamCode, kind, sessionId?, reason: 'closed'|'slow'|'kicked'|'unpublished'|'server-closed' }
//   refused   { action: 'publish'|'play', protocol, streamCode, code, message, remote }
//   ready     { rtmpUrl, httpUrl }                        after each start()
//   close     undefined                                   after each close() of a started server
//
// HTTP routes mounted here: GET /healthz, GET /api/streams, GET /api/stats, GET /live/{code}.flv
// (HTTP-FLV) and its WebSocket upgrade (WS-FLV).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidStateError, LinkMicError, TypedEmitter, type Disposable, type Endpoint, type Listener, type SessionId } from '../common';
import { parseServerConfig, type ServerConfig, type ServerConfigInput } from './config';
import { HttpHost, RouteTable, sendJson, type RouteHandler, type RouteMethod, type UpgradeHandler } from './http/http-host';
import { hostPort } from '../node/listen';
import { localAddressOf } from '../node/loopback';
import { createLogger, type Logger } from '../node/logger';
import { Origin } from './origin/origin';
import type { EndReason, LiveStreamInfo, OriginEvents, OriginStats, PlayInfo } from './origin/origin-types';
import { UrlIssuer } from './url-issuer';
import { mediaEndpointsOf, type MediaEndpoints } from './media-profile';
// [signal] signalling service mounted on the shared port (server/signal/mount-signal.ts)
import { MountedSignal, type MountSignalOptions } from './signal/mount-signal';
// [mixer] server-side mix (server/mixer) and [viewer] audience web page (server/viewer)
import type { MixerOptions } from './mixer/mix-types';
import { mixerHostOf } from './mixer/mixer-host';
import { ServerMixer } from './mixer/server-mixer';
import { MountedViewer, type ViewerOptions } from './viewer/mount-viewer';
// [hooks] external origins deciding publish and play through our HTTP hooks (server/hooks)
import { HookDecider } from './hooks/hook-decider';
import type { HookStateStore } from './hooks/hook-state-store';
import { MemoryHookStateStore } from './hooks/memory-hook-state-store';
import { RedisHookStateStore } from './hooks/redis-hook-state-store';
import { MountedHooks } from './hooks/mount-hooks';
import { RelayMarkers } from './hooks/relay-markers';
import { OriginPolicy } from './origin/origin-policy';

export interface LinkMicServerOptions extends ServerConfigInput {
  /** A pino logger; by default one at `logLevel` on stderr. */
  readonly logger?: Logger;
  /** [signal] Options of the signalling service (/signal, POST /api/dev-login). */
  readonly signal?: MountSignalOptions;
  /** [mixer] Options of the server-side mixer (`enabled: false` turns it off). */
  readonly mixer?: MixerOptions;
  /** [viewer] Options of the audience web page (/watch/{room}). */
  readonly viewer?: ViewerOptions;
  /** [hooks] Shared state of the hook decisions (locks, link slots); in memory by default, in Redis with `redisUrl` (several nodes). */
  readonly hookStore?: HookStateStore;
}

export interface ReadyInfo {
  readonly rtmpUrl: string;
  readonly httpUrl: string;
}

export type LinkMicServerEvents = Omit<OriginEvents, 'close'> & {
  ready: ReadyInfo;
  close: undefined;
};

const FORWARDED_EVENTS = ['publish', 'unpublish', 'play', 'stop', 'refused'] as const;

export class LinkMicServer {
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly events: TypedEmitter<LinkMicServerEvents>;
  /** Issues signed URLs pointing at this server (read after start(): ports may be ephemeral). */
  readonly urls: UrlIssuer;
  /** [hooks] Where issued URLs point when the profile is not `embedded` (server/media-profile.ts). */
  readonly media: MediaEndpoints | undefined;
  /** [signal] The signalling service on this server's HTTP port (a fresh one per start). */
  readonly signal: MountedSignal;
  /** [mixer] Server-side mixes of big hosts pushing with t_id (docs/mixer.md). */
  readonly mixer: ServerMixer;
  /** [viewer] The audience page at /watch/{room}. */
  readonly viewer: MountedViewer;
  /** [mixer] Secret of the server's own media clients (`internal=<token>`); fresh per process. */
  readonly internalToken = randomBytes(24).toString('hex');
  /** [hooks] The one decision path of external origins' hooks (/hooks/nginx-rtmp|srs|tencent-css). */
  readonly hooks: HookDecider;
  private readonly table = new RouteTable();
  private readonly closeHooks = new Set<() => void | Promise<void>>();
  private state: 'idle' | 'starting' | 'running' | 'closing' = 'idle';
  private closing: Promise<void> | undefined;
  private starting: Promise<ReadyInfo> | undefined;
  /** `origin` and `rtmpPort` are absent when the origin is external (config `origin: 'external'`). */
  private current: { origin: Origin | undefined; http: HttpHost; rtmpPort: number | undefined; httpPort: number } | undefined;
  private dataDirPath: string | undefined;
  /** When the running server finished starting (Date.now()). */
  private startedAt: number | undefined;
  private ownsDataDir = false;
  /** [hooks] The server made its hook store (not given in the options), so it closes it. */
  private readonly ownsHookStore: boolean;

  constructor(options: LinkMicServerOptions = {}) {
    const { logger, signal, mixer, viewer, hookStore, ...config } = options;
    this.config = parseServerConfig(config);
    this.ownsHookStore = hookStore === undefined && this.config.redisUrl !== undefined;
    this.log = logger ?? createLogger({ level: this.config.logLevel });
    this.events = new TypedEmitter<LinkMicServerEvents>((error, event) => this.log.error({ err: error, event }, 'server event listener threw'));
    // [hooks] a cluster or Tencent CSS profile points URLs at its domains, not at this server's ports
    const media = mediaEndpointsOf(this.config);
    this.urls = new UrlIssuer({
      key: this.config.key,
      endpoint: () => this.endpoint,
      validitySec: this.config.urlValiditySec,
      signAudience: this.config.requirePlaySign,
      ...(media ? { pushEndpoint: media.push, linkEndpoint: media.link, audienceEndpoint: media.audience } : {}),
      ...(this.config.playKey !== undefined ? { playKey: this.config.playKey } : {}),
    });
    this.media = media;
    this.table.addRoute('GET', '/healthz', (_req, res) => sendJson(res, 200, this.health()));
    this.table.addRoute('GET', '/api/streams', (_req, res) =>
      // [mixer] each stream carries its server mix's state (null when not mixed)
      sendJson(res, 200, { streams: this.listStreams().map((stream) => ({ ...toApiStream(stream), mix: this.mixer.status(stream.streamCode) ?? null })) }),
    );
    this.table.addRoute('GET', '/api/stats', (_req, res) => sendJson(res, 200, this.stats()));
    this.table.addRoute('*', '/live/', (req, res) => this.requireOrigin().handleFlvRequest(req, res));
    this.table.addUpgradeHandler('/live/', (req, socket, head) => this.requireOrigin().handleFlvUpgrade(req, socket, head));
    // [hooks] before the signal service, so it sees external streams through the same events
    this.hooks = new HookDecider(
      {
        policy: new OriginPolicy({ key: this.config.key, linkQuota: this.config.linkQuota, requirePlaySign: this.config.requirePlaySign }),
        store: hookStore ?? (this.config.redisUrl !== undefined ? new RedisHookStateStore({ url: this.config.redisUrl }) : new MemoryHookStateStore()),
        issuedSession: (sessionId) => this.signal.service?.hub.issuedSession(sessionId),
        leaseMs: this.config.hookLeaseSec * 1000,
      },
      this.log,
    );
    for (const event of FORWARDED_EVENTS) {
      this.hooks.events.on(event, (payload) => this.events.emit(event, payload as never));
    }
    new MountedHooks(this.table, this.hooks, {
      token: this.config.hookToken,
      tencentCallbackKey: this.config.tencentCallbackKey,
      relays: new RelayMarkers({ pageUrl: this.config.hookRelayPageUrl, addresses: this.config.hookRelayAddresses }),
    });
    this.signal = new MountedSignal(this, { ...signalDefaultsOf(this.config), ...signal }); // [signal]
    // [mixer] the mixer needs the embedded origin
    this.mixer = new ServerMixer(mixerHostOf(this), this.config.origin === 'external' ? { ...mixer, enabled: false } : mixer);
    this.viewer = new MountedViewer(this, viewer); // [viewer]
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  /** Starts both listeners; resolves once both listen. Rejects (never exits) on a port clash. */
  start(): Promise<ReadyInfo> {
    if (this.state === 'running' || this.state === 'starting') return this.starting!;
    if (this.state === 'closing') return Promise.reject(new InvalidStateError('the server is closing'));
    this.state = 'starting';
    this.starting = this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<ReadyInfo> {
    this.closing = undefined;
    this.prepareDataDir();
    const origin = this.config.origin === 'embedded' ? this.createOrigin() : undefined;
    const http = new HttpHost(this.log, this.table);
    try {
      const rtmpPort = origin ? await origin.listenRtmp(this.config.host, this.config.rtmpPort) : undefined;
      const httpPort = await http.listen(this.config.host, this.config.httpPort);
      this.current = { origin, http, rtmpPort, httpPort };
    } catch (error) {
      await Promise.all([origin?.close(), http.close()]);
      this.removeDataDir();
      this.state = 'idle';
      throw error;
    }
    this.state = 'running';
    this.startedAt = Date.now();
    const ready = { rtmpUrl: this.rtmpUrl, httpUrl: this.httpUrl };
    this.log.info(ready, 'link-mic server ready');
    this.events.emit('ready', ready);
    return ready;
  }

  private createOrigin(): Origin {
    const origin = new Origin(
      {
        key: this.config.key,
        linkQuota: this.config.linkQuota,
        requirePlaySign: this.config.requirePlaySign,
        publisherIdleTimeoutMs: this.config.publisherIdleTimeoutMs,
        handshakeTimeoutMs: this.config.handshakeTimeoutMs,
        commandTimeoutMs: this.config.commandTimeoutMs,
        maxViewerBacklogBytes: this.config.maxViewerBacklogBytes,
        closePlayersOnUnpublish: this.config.closePlayersOnUnpublish,
        // [mixer] audience plays of a mixed stream are served from its mix
        internalToken: this.internalToken,
        audienceSource: (streamCode) => this.mixer.audienceSource(streamCode),
        // [signal] pushes naming a session_id must match what signalling issued under it
        issuedSession: (sessionId) => this.signal.service?.hub.issuedSession(sessionId),
      },
      this.log,
    );
    for (const event of FORWARDED_EVENTS) {
      origin.events.on(event, (payload) => this.events.emit(event, payload as never));
    }
    return origin;
  }

  /** Runs the onClose hooks, then closes every listener, connection and timer. Idempotent. */
  close(): Promise<void> {
    if (this.state === 'idle' && !this.closing) return Promise.resolve();
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    if (this.state === 'starting') await this.starting!.catch(() => undefined);
    if (this.state !== 'running') return;
    this.state = 'closing';
    for (const hook of [...this.closeHooks]) {
      try {
        await hook();
      } catch (error) {
        this.log.error({ err: error }, 'close hook failed');
      }
    }
    const current = this.current!;
    await Promise.all([current.origin?.close(), current.http.close()]);
    // [hooks] a Redis store the server made ends its connection (reopened on the next use)
    if (this.ownsHookStore) await this.hooks.store.close();
    this.current = undefined;
    this.startedAt = undefined;
    this.removeDataDir();
    this.state = 'idle';
    this.starting = undefined;
    this.log.info('link-mic server closed');
    this.events.emit('close', undefined);
  }

  /** Runs `hook` at the start of close(), before sockets are destroyed. */
  onClose(hook: () => void | Promise<void>): Disposable {
    this.closeHooks.add(hook);
    return { dispose: () => this.closeHooks.delete(hook) };
  }

  get running(): boolean {
    return this.state === 'running';
  }

  // ---- addresses -------------------------------------------------------------------------------

  /** The embedded origin's RTMP port (NOT_LISTENING when the origin is external). */
  get rtmpPort(): number {
    const port = this.requireCurrent().rtmpPort;
    if (port === undefined) throw new LinkMicError('NOT_LISTENING', 'the origin is external: this server has no RTMP listener');
    return port;
  }

  get httpPort(): number {
    return this.requireCurrent().httpPort;
  }

  /** The host written into URLs. */
  get publicHost(): string {
    if (this.config.publicHost !== undefined) return this.config.publicHost;
    return localAddressOf(this.config.host);
  }

  /** This server's own ports; with an external origin, RTMP is the profile's push host. */
  get endpoint(): Endpoint {
    const current = this.requireCurrent();
    const rtmpHost = current.rtmpPort === undefined ? (this.media?.push.rtmpHost ?? '') : hostPort(this.publicHost, current.rtmpPort);
    return { rtmpHost, httpHost: hostPort(this.publicHost, current.httpPort) };
  }

  /** `rtmp://host:port` (append `/live/{code}`): where hosts push (an external origin's push base). */
  get rtmpUrl(): string {
    return `rtmp://${this.media?.push.rtmpHost ?? this.endpoint.rtmpHost}`;
  }

  /** `http://host:port`. */
  get httpUrl(): string {
    return `http://${this.endpoint.httpHost}`;
  }

  /** `ws://host:port`. */
  get wsUrl(): string {
    return `ws://${this.endpoint.httpHost}`;
  }

  /** This instance's data folder (exists while the server runs). */
  get dataDir(): string {
    if (this.dataDirPath === undefined) throw new LinkMicError('NOT_LISTENING', 'the server is not started');
    return this.dataDirPath;
  }

  // ---- HTTP composition ------------------------------------------------------------------------

  /** Adds an HTTP route on the shared port; `*` matches any method; longest prefix wins. */
  addRoute(method: RouteMethod, pathPrefix: string, handler: RouteHandler): Disposable {
    return this.table.addRoute(method, pathPrefix, handler);
  }

  /** Adds an upgrade (WebSocket) handler on the shared port for a path prefix. */
  addUpgradeHandler(pathPrefix: string, handler: UpgradeHandler): Disposable {
    return this.table.addUpgradeHandler(pathPrefix, handler);
  }

  // ---- events and media ------------------------------------------------------------------------

  on<K extends keyof LinkMicServerEvents>(event: K, listener: Listener<LinkMicServerEvents[K]>): Disposable {
    return this.events.on(event, listener);
  }

  once<K extends keyof LinkMicServerEvents>(event: K, listener: Listener<LinkMicServerEvents[K]>): Disposable {
    return this.events.once(event, listener);
  }

  listStreams(): LiveStreamInfo[] {
    return this.current?.origin?.listStreams() ?? [];
  }

  getStream(streamCode: string): LiveStreamInfo | undefined {
    return this.current?.origin?.getStream(streamCode);
  }

  listPlays(): PlayInfo[] {
    return this.current?.origin?.listPlays() ?? [];
  }

  linkCount(sessionId: SessionId): number {
    return this.current?.origin?.linkCount(sessionId) ?? 0;
  }

  closeStream(streamCode: string, reason?: EndReason): boolean {
    return this.current?.origin?.closeStream(streamCode, reason) ?? false;
  }

  closePlay(playId: string, reason?: EndReason): boolean {
    return this.current?.origin?.closePlay(playId, reason) ?? false;
  }

  stats(): OriginStats & { readonly uptimeMs: number } {
    const origin = this.current?.origin;
    const stats = origin?.stats() ?? emptyStats();
    return { ...stats, uptimeMs: this.startedAt === undefined ? 0 : Date.now() - this.startedAt };
  }

  /** The running origin (tests and advanced embedding). */
  get origin(): Origin {
    return this.requireOrigin();
  }

  // ---- internals -------------------------------------------------------------------------------

  private health(): Record<string, unknown> {
    return { ok: true, rtmpUrl: this.rtmpUrl, httpUrl: this.httpUrl, streams: this.listStreams().length };
  }

  private requireCurrent(): NonNullable<LinkMicServer['current']> {
    if (!this.current) throw new LinkMicError('NOT_LISTENING', 'the server is not started');
    return this.current;
  }

  private requireOrigin(): Origin {
    const origin = this.requireCurrent().origin;
    if (!origin) throw new LinkMicError('NOT_LISTENING', 'the origin is external: this server serves no media');
    return origin;
  }

  private prepareDataDir(): void {
    if (this.config.dataDir !== undefined) {
      mkdirSync(this.config.dataDir, { recursive: true });
      this.dataDirPath = path.resolve(this.config.dataDir);
      this.ownsDataDir = false;
    } else {
      this.dataDirPath = mkdtempSync(path.join(os.tmpdir(), 'linkmic-server-'));
      this.ownsDataDir = true;
    }
  }

  private removeDataDir(): void {
    if (this.ownsDataDir && this.dataDirPath !== undefined) rmSync(this.dataDirPath, { recursive: true, force: true });
    this.dataDirPath = undefined;
    this.ownsDataDir = false;
  }
}

/** The /api/streams shape: the spec's names (session_id, t_id). */
export function toApiStream(stream: LiveStreamInfo): Record<string, unknown> {
  return {
    code: stream.streamCode,
    session_id: stream.sessionId,
    layer: stream.layer,
    t_id: stream.templateId,
    bitrate_kbps: stream.bitrateKbps,
    uptime_ms: stream.uptimeMs,
    link_count: stream.linkCount,
    viewer_count: stream.viewerCount,
    video: stream.video,
  };
}

function emptyStats(): OriginStats {
  return {
    publishAccepted: 0,
    playAccepted: 0,
    publishRefused: {},
    playRefused: {},
    publishersTimedOut: 0,
    slowViewersDropped: 0,
    rtmpPeersDropped: {},
    liveStreams: 0,
    activePlays: 0,
    activeLinks: 0,
  };
}

/** [signal] The signalling options the server's own configuration carries (CLI, config file). */
function signalDefaultsOf(config: ServerConfig): MountSignalOptions {
  const options: { tokenKey?: string; devLogin?: boolean; allowOrigins?: readonly string[]; stateFile?: string; redisUrl?: string; nodeId?: string; battleTestDurationSec?: number; battleResultMs?: number; linkPublishDeadlineMs?: number; limits?: { maxConnectionsPerIp: number }; maxStreamCodesPerUser?: number } = {};
  if (config.tokenKey !== undefined) options.tokenKey = config.tokenKey;
  if (config.battleTestDurationSec !== undefined) options.battleTestDurationSec = config.battleTestDurationSec;
  if (config.battleResultSec !== undefined) options.battleResultMs = config.battleResultSec * 1000;
  if (config.devLogin !== undefined) options.devLogin = config.devLogin;
  if (config.allowOrigin.length > 0) options.allowOrigins = config.allowOrigin;
  if (config.stateFile !== undefined) options.stateFile = config.stateFile;
  if (config.redisUrl !== undefined) options.redisUrl = config.redisUrl;
  if (config.nodeId !== undefined) options.nodeId = config.nodeId;
  if (config.linkPublishDeadlineSec !== undefined) options.linkPublishDeadlineMs = config.linkPublishDeadlineSec * 1000;
  if (config.maxConnectionsPerIp !== undefined) options.limits = { maxConnectionsPerIp: config.maxConnectionsPerIp };
  if (config.maxStreamCodesPerUser !== undefined) options.maxStreamCodesPerUser = config.maxStreamCodesPerUser;
  return options;
}
