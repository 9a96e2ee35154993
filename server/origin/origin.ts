// The media origin: node-media-server 4.4.3's RTMP / FLV machinery behind an adapter that owns
// its lifecycle and fixes each measured pitfall (../shared/design/node-media-server-notes.md):
//  1  own listeners: a port clash rejects start() with PORT_IN_USE; port 0 picks a free port
//  2  start() resolves once listening
//  3  close() destroys every socket and removes this origin's sessions and broadcasts from NMS's
//     process-global state; each origin runs under its own internal app name, so several origins
//     (in turn or at once) never share a stream
//  4  no publish grace: an ended publish is finished at once, nobody "resumes" a stream
//  5  postPublish never runs for a refused publisher (we refuse before NMS sees the publish)
//  6  publisher sockets have an idle timeout: a frozen encoder is dropped (`timeout`)
//  7  backpressure: a viewer whose unsent backlog passes a bound is dropped (`slow`)
//  8  NMS's store is never opened: no ./data folder
//  9  NMS's console logging is routed into pino (nms-bridge)
//  13 a refused publisher never reaches NMS's broadcast, its socket stops being read and is destroyed
//  14 refusals are RTMP error statuses sent instead of NetStream.Publish.Start (BadName with a
//     description "CODE: reason"), so an encoder stops and says why
// The HTTP side (HTTP-FLV and WS-FLV plays) is mounted on the server's shared HTTP port by the
// composition root through handleFlvRequest / handleFlvUpgrade.
import net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  InvalidStateError,
  constantTimeEqual,
  LinkMicError,
  TypedEmitter,
  parseQuery,
  toErrorPayload,
  type ErrorCode,
  type ErrorPayload,
  type PlayProtocol,
  type SessionId,
} from '../../common';
import type { Logger } from '../logger';
import { closeServer, listenOn } from '../listen';
import { Context, Flv, FlvSession, Rtmp, RtmpSession, attachNmsLogger, nextInternalApp, nmsStateOf, sweepNmsState } from './nms-bridge';
import type { BaseSession, BroadcastServer } from './nms-bridge';
import { statusForCode } from '../http/http-status';
import { OriginPolicy, type PlayGrant, type PublishGrant } from './origin-policy';
import type { EndReason, LiveStreamInfo, OriginEvents, OriginStats, PlayInfo, PlayKind } from './origin-types';

export interface OriginOptions {
  /** Signing key for txSecret/txTime; without it nothing is checked (development only). */
  readonly key?: string | undefined;
  /** Concurrent low-latency links per session_id (1..8). */
  readonly linkQuota: number;
  /** Audience plays must be signed too. */
  readonly requirePlaySign: boolean;
  /** A publisher that sends nothing for this long is dropped. */
  readonly publisherIdleTimeoutMs: number;
  /** An RTMP connection that neither publishes nor plays within this time is dropped. */
  readonly handshakeTimeoutMs: number;
  /** A viewer whose unsent backlog passes this many bytes is dropped. */
  readonly maxViewerBacklogBytes: number;
  /** When a stream ends, close its players (they reconnect) instead of leaving them waiting. */
  readonly closePlayersOnUnpublish: boolean;
  /** Interval of the incoming-bitrate sampler. */
  readonly bitrateSampleMs?: number;
  // [mixer] audience → server-mix routing (server/mixer, docs/mixer.md).
  /** Token of the server's own clients (the mixer): `internal=<token>` plays get the original stream. */
  readonly internalToken?: string;
  /** For an audience play of `streamCode`, the stream actually served (a running mix), or undefined. */
  readonly audienceSource?: (streamCode: string) => string | undefined;
}

/** [mixer] Stream codes ending so are the mixer's outputs: only an `internal=<token>` publish may use them. */
export const INTERNAL_STREAM_SUFFIX = '__mix';

interface RtmpConnection {
  readonly session: RtmpSession;
  readonly closed: Promise<void>;
  role: 'pending' | 'publisher' | 'player' | 'refused';
  streamCode?: string;
  playId?: string;
  endReason?: EndReason;
}

interface StreamRecord {
  readonly streamCode: string;
  readonly grant: PublishGrant;
  readonly connection: RtmpConnection;
  readonly startedAt: number;
  lastBytes: number;
  lastSampleAt: number;
  bitrateKbps: number;
}

interface PlayRecord {
  readonly playId: string;
  readonly streamCode: string;
  readonly kind: PlayKind;
  readonly sessionId: SessionId | undefined;
  readonly protocol: PlayProtocol;
  readonly remote: string;
  readonly startedAt: number;
  session?: BaseSession;
  /** Unsent bytes queued for this viewer. */
  backlog: () => number;
  /** Tears the transport down; the close handler finishes the record. */
  destroy: () => void;
  closed: Promise<void>;
  endReason?: EndReason;
  ended: boolean;
  /** `play` was emitted (a WebSocket upgrade can fail before): `stop` only follows a `play`. */
  announced: boolean;
  /** True while NMS writes the headers and GOP cache to a new player. */
  bursting: boolean;
  /** Backlog left by that initial burst: tolerated on top of the bound. */
  allowance: number;
}

const FLV_PATH = /^\/([^/]+)\/([^/]+)\.flv$/;
const DEFAULT_BITRATE_SAMPLE_MS = 2000;
const REFUSE_DESTROY_FALLBACK_MS = 1000;

let playSeq = 0;
/** NMS broadcasts whose methods this module has wrapped (a broadcast can outlive a publish). */
const patchedBroadcasts = new WeakSet<BroadcastServer>();

export class Origin {
  readonly events: TypedEmitter<OriginEvents>;
  /** NMS app name this origin's streams live under (internal; clients always use `live`). */
  readonly internalApp = nextInternalApp();
  private readonly policy: OriginPolicy;
  private readonly log: Logger;
  private state: 'idle' | 'starting' | 'running' | 'closing' | 'closed' = 'idle';
  private closing: Promise<void> | undefined;
  private rtmpServer: net.Server | undefined;
  private readonly connections = new Set<RtmpConnection>();
  private readonly nmsSessionIds = new Set<string>();
  private readonly streams = new Map<string, StreamRecord>();
  private readonly plays = new Map<string, PlayRecord>();
  private readonly linkCounts = new Map<SessionId, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private sampler: NodeJS.Timeout | undefined;
  private detachLogger: (() => void) | undefined;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 });
  private readonly counters = {
    publishAccepted: 0,
    playAccepted: 0,
    publishRefused: {} as Partial<Record<ErrorCode, number>>,
    playRefused: {} as Partial<Record<ErrorCode, number>>,
    publishersTimedOut: 0,
    slowViewersDropped: 0,
  };

  constructor(
    readonly options: OriginOptions,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'origin' });
    this.events = new TypedEmitter<OriginEvents>((error, event) => this.log.error({ err: error, event }, 'origin event listener threw'));
    this.policy = new OriginPolicy({ key: options.key, linkQuota: options.linkQuota, requirePlaySign: options.requirePlaySign });
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Starts the RTMP listener; resolves with the port once it listens. */
  async listenRtmp(host: string, port: number): Promise<number> {
    if (this.state !== 'idle') throw new InvalidStateError(`origin cannot start: it is ${this.state}`);
    this.state = 'starting';
    this.detachLogger = attachNmsLogger(this.log);
    const server = net.createServer({ noDelay: true }, (socket) => this.onRtmpConnection(socket));
    this.rtmpServer = server;
    try {
      const address = await listenOn(server, host, port, 'RTMP');
      server.on('error', (error) => this.log.error({ err: error }, 'RTMP listener error'));
      this.state = 'running';
      this.sampler = setInterval(() => this.sampleBitrates(), this.options.bitrateSampleMs ?? DEFAULT_BITRATE_SAMPLE_MS);
      this.sampler.unref();
      return address.port;
    } catch (error) {
      this.state = 'closed';
      this.detachLogger();
      this.detachLogger = undefined;
      this.wss.close();
      throw error;
    }
  }

  // ---- queries ---------------------------------------------------------------------------------

  listStreams(): LiveStreamInfo[] {
    const now = Date.now();
    return [...this.streams.values()].map((record) => {
      const session = record.connection.session;
      let linkCount = 0;
      let viewerCount = 0;
      for (const play of this.plays.values()) {
        if (play.streamCode !== record.streamCode) continue;
        if (play.kind === 'link') linkCount += 1;
        else viewerCount += 1;
      }
      return {
        streamCode: record.streamCode,
        sessionKey: session.id,
        sessionId: record.grant.sessionId ?? null,
        layer: record.grant.layer ?? null,
        templateId: record.grant.templateId ?? null,
        bitrateKbps: record.bitrateKbps,
        uptimeMs: now - record.startedAt,
        startedAt: record.startedAt,
        linkCount,
        viewerCount,
        video: session.videoWidth > 0 ? { width: session.videoWidth, height: session.videoHeight, fps: session.videoFramerate } : null,
      };
    });
  }

  getStream(streamCode: string): LiveStreamInfo | undefined {
    return this.listStreams().find((stream) => stream.streamCode === streamCode);
  }

  listPlays(): PlayInfo[] {
    return [...this.plays.values()].map((play) => ({
      playId: play.playId,
      streamCode: play.streamCode,
      kind: play.kind,
      sessionId: play.sessionId ?? null,
      protocol: play.protocol,
      remote: play.remote,
      startedAt: play.startedAt,
      bytesSent: play.session?.outBytes ?? 0,
    }));
  }

  /** Open low-latency links under `sessionId`. */
  linkCount(sessionId: SessionId): number {
    return this.linkCounts.get(sessionId) ?? 0;
  }

  stats(): OriginStats {
    return {
      publishAccepted: this.counters.publishAccepted,
      playAccepted: this.counters.playAccepted,
      publishRefused: { ...this.counters.publishRefused },
      playRefused: { ...this.counters.playRefused },
      publishersTimedOut: this.counters.publishersTimedOut,
      slowViewersDropped: this.counters.slowViewersDropped,
      liveStreams: this.streams.size,
      activePlays: this.plays.size,
      activeLinks: [...this.linkCounts.values()].reduce((sum, n) => sum + n, 0),
    };
  }

  /** What NMS's process-global state still holds for this origin (zero after close). */
  nmsState(): { sessions: number; broadcasts: number } {
    return nmsStateOf(this.internalApp);
  }

  // ---- control ---------------------------------------------------------------------------------

  /** Ends a live stream (its publisher is disconnected). Returns false when it is not live. */
  closeStream(streamCode: string, reason: EndReason = 'kicked'): boolean {
    const record = this.streams.get(streamCode);
    if (!record) return false;
    record.connection.endReason ??= reason;
    record.connection.session.socket.destroy();
    return true;
  }

  /** Ends one play (link or audience). Returns false when it is not open. */
  closePlay(playId: string, reason: EndReason = 'kicked'): boolean {
    const play = this.plays.get(playId);
    if (!play) return false;
    play.endReason ??= reason;
    play.destroy();
    return true;
  }

  /** Closes every socket and removes this origin's NMS state. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const wasStarted = this.state !== 'idle';
    this.state = 'closing';
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const serverClosed = this.rtmpServer ? closeServer(this.rtmpServer) : Promise.resolve();
    const waits: Promise<void>[] = [];
    for (const play of this.plays.values()) {
      play.endReason ??= 'server-closed';
      play.destroy();
      waits.push(play.closed);
    }
    for (const connection of this.connections) {
      connection.endReason ??= 'server-closed';
      connection.session.socket.destroy();
      waits.push(connection.closed);
    }
    await Promise.race([Promise.all(waits), delay(2000)]);
    await serverClosed;
    this.wss.close();
    for (const client of this.wss.clients) client.terminate();
    const swept = sweepNmsState(this.internalApp, this.nmsSessionIds);
    if (swept.sessions > 0 || swept.broadcasts > 0) this.log.debug(swept, 'swept NMS state left after close');
    this.nmsSessionIds.clear();
    this.streams.clear();
    this.plays.clear();
    this.linkCounts.clear();
    this.state = 'closed';
    this.detachLogger?.();
    this.detachLogger = undefined;
    if (wasStarted) this.events.emit('close', undefined);
  }

  // ---- RTMP ------------------------------------------------------------------------------------

  private onRtmpConnection(socket: net.Socket): void {
    if (this.state !== 'running') {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    socket.setTimeout(this.options.handshakeTimeoutMs);
    const session = new RtmpSession(socket);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const connection: RtmpConnection = { session, closed, role: 'pending' };
    session.rtmp.onPublish = (message) => this.onRtmpPublish(connection, message);
    session.rtmp.onPlay = (message) => this.onRtmpPlay(connection, message);
    session.run();
    Context.sessions.set(session.id, session);
    this.nmsSessionIds.add(session.id);
    this.connections.add(connection);
    socket.on('timeout', () => {
      if (connection.role === 'publisher') {
        this.counters.publishersTimedOut += 1;
        connection.endReason ??= 'timeout';
        this.log.info({ streamCode: connection.streamCode, remote: session.ip }, 'publisher sent nothing: dropped');
      } else {
        this.log.debug({ remote: session.ip, role: connection.role }, 'idle RTMP connection dropped');
      }
      socket.destroy();
    });
    // Registered after the session's own close handler, so NMS has finished with it.
    socket.once('close', () => {
      this.connections.delete(connection);
      this.nmsSessionIds.delete(session.id);
      Context.sessions.delete(session.id);
      if (connection.role === 'publisher') this.onPublisherGone(connection);
      else if (connection.role === 'player' && connection.playId !== undefined) this.finishPlay(connection.playId);
    });
  }

  /** Splits an RTMP app and stream name (either may carry the query) into app, code and query. */
  private static splitRtmpTarget(rawApp: string, rawName: string): { app: string; streamCode: string; query: Map<string, string>; rawQuery: string } {
    const appQueryAt = rawApp.indexOf('?');
    const app = (appQueryAt < 0 ? rawApp : rawApp.slice(0, appQueryAt)).replace(/\/+$/, '');
    const appQuery = appQueryAt < 0 ? '' : rawApp.slice(appQueryAt + 1);
    const nameQueryAt = rawName.indexOf('?');
    const streamCode = nameQueryAt < 0 ? rawName : rawName.slice(0, nameQueryAt);
    const nameQuery = nameQueryAt < 0 ? '' : rawName.slice(nameQueryAt + 1);
    const rawQuery = [nameQuery, appQuery].filter((part) => part !== '').join('&');
    return { app, streamCode, query: parseQuery(rawQuery), rawQuery };
  }

  private onRtmpPublish(connection: RtmpConnection, message: Parameters<Rtmp['onPublish']>[0]): void {
    const { session } = connection;
    const rtmp = session.rtmp;
    const rawName = typeof message.streamName === 'string' ? message.streamName : '';
    let grant: PublishGrant;
    let rawQuery: string;
    let streamCode = rawName.split('?')[0] ?? '';
    try {
      if (this.state !== 'running') throw new LinkMicError('INVALID_STATE', 'the origin is closing');
      if (connection.role !== 'pending') throw new LinkMicError('INVALID_STATE', 'this connection already publishes or plays');
      const target = Origin.splitRtmpTarget(String(rtmp.streamApp ?? ''), rawName);
      streamCode = target.streamCode;
      rawQuery = target.rawQuery;
      grant = this.policy.checkPublish({ app: target.app, streamCode, query: target.query, isLive: (code) => this.streams.has(code) });
      // [mixer] reserved output names of the server-side mixer
      if (streamCode.endsWith(INTERNAL_STREAM_SUFFIX) && !this.isInternal(target.query)) {
        throw new LinkMicError('NOT_ALLOWED', `stream codes ending in ${INTERNAL_STREAM_SUFFIX} are reserved for the server-side mixer`, { field: 'streamCode' });
      }
    } catch (error) {
      this.refuseRtmp(connection, 'publish', streamCode, error);
      return;
    }
    connection.role = 'publisher';
    connection.streamCode = grant.streamCode;
    const record: StreamRecord = { streamCode: grant.streamCode, grant, connection, startedAt: Date.now(), lastBytes: 0, lastSampleAt: Date.now(), bitrateKbps: 0 };
    this.streams.set(grant.streamCode, record);
    // Hand the publish to NMS under this origin's internal app: it answers Publish.Start, binds
    // the session to the broadcast and makes it the publisher.
    rtmp.streamApp = this.internalApp;
    Rtmp.prototype.onPublish.call(rtmp, { ...message, streamName: rawQuery === '' ? grant.streamCode : `${grant.streamCode}?${rawQuery}` });
    if (session.broadcast.publisher !== session) {
      this.log.error({ streamCode: grant.streamCode }, 'NMS did not make the accepted session the publisher');
      connection.endReason = 'kicked';
      session.socket.destroy();
      return;
    }
    Origin.disablePublishGrace(session.broadcast);
    Origin.flagTracksFromMetadata(session.broadcast);
    session.socket.setTimeout(this.options.publisherIdleTimeoutMs);
    this.counters.publishAccepted += 1;
    this.log.info({ streamCode: grant.streamCode, sessionId: grant.sessionId, layer: grant.layer, templateId: grant.templateId, remote: session.ip }, 'publish');
    const event: { -readonly [K in keyof OriginEvents['publish']]: OriginEvents['publish'][K] } = {
      streamCode: grant.streamCode,
      sessionKey: session.id,
      protocol: 'rtmp',
      remote: session.ip,
      startedAt: record.startedAt,
    };
    if (grant.sessionId !== undefined) event.sessionId = grant.sessionId;
    if (grant.layer !== undefined) event.layer = grant.layer;
    if (grant.templateId !== undefined) event.templateId = grant.templateId;
    this.events.emit('publish', event);
  }

  /** Pitfall 4: finish an ended publish at once instead of holding it 30 s for a "resume". */
  private static disablePublishGrace(broadcast: BroadcastServer): void {
    broadcast.publishGraceMs = 0;
    broadcast.donePublish = (publisher) => {
      if (publisher !== broadcast.publisher) return;
      publisher.endTime = Date.now();
      broadcast._finishPublish();
    };
  }

  /**
   * Pitfall 10: NMS's FLV header always flags audio, and some players wait for ever for audio a
   * video-only stream never sends. Once the publisher's metadata names its codecs, the header
   * sent to later players flags only the tracks the stream has.
   */
  private static flagTracksFromMetadata(broadcast: BroadcastServer): void {
    broadcast.flvHeader = Flv.createHeader(true, true);
    if (patchedBroadcasts.has(broadcast)) return;
    patchedBroadcasts.add(broadcast);
    const broadcastMessage = broadcast.broadcastMessage;
    broadcast.broadcastMessage = (packet) => {
      broadcastMessage(packet);
      const publisher = broadcast.publisher;
      if (packet.flags === 5 && publisher) {
        const hasAudio = Boolean(publisher.audioCodec);
        const hasVideo = Boolean(publisher.videoCodec);
        if (hasAudio || hasVideo) broadcast.flvHeader = Flv.createHeader(hasAudio, hasVideo);
      }
    };
  }

  private onPublisherGone(connection: RtmpConnection): void {
    const streamCode = connection.streamCode;
    if (streamCode === undefined) return;
    const record = this.streams.get(streamCode);
    if (!record || record.connection !== connection) return;
    this.streams.delete(streamCode);
    const reason = connection.endReason ?? 'closed';
    this.log.info({ streamCode, reason }, 'unpublish');
    this.events.emit('unpublish', { streamCode, sessionKey: connection.session.id, reason });
    if (this.options.closePlayersOnUnpublish) {
      for (const play of this.plays.values()) {
        if (play.streamCode !== streamCode) continue;
        play.endReason ??= reason === 'server-closed' ? 'server-closed' : 'unpublished';
        play.destroy();
      }
    }
  }

  private onRtmpPlay(connection: RtmpConnection, message: Parameters<Rtmp['onPlay']>[0]): void {
    const { session } = connection;
    const rtmp = session.rtmp;
    const rawName = typeof message.streamName === 'string' ? message.streamName : '';
    let streamCode = rawName.split('?')[0] ?? '';
    let grant: PlayGrant;
    let rawQuery: string;
    let source: string; // [mixer]
    try {
      if (this.state !== 'running') throw new LinkMicError('INVALID_STATE', 'the origin is closing');
      if (connection.role !== 'pending') throw new LinkMicError('INVALID_STATE', 'this connection already publishes or plays');
      const target = Origin.splitRtmpTarget(String(rtmp.streamApp ?? ''), rawName);
      streamCode = target.streamCode;
      rawQuery = target.rawQuery;
      grant = this.policy.checkPlay({ app: target.app, streamCode, query: target.query, linkCount: (id) => this.linkCount(id) });
      source = this.playSource(grant, target.query); // [mixer]
    } catch (error) {
      this.refuseRtmp(connection, 'play', streamCode, error);
      return;
    }
    connection.role = 'player';
    session.socket.setTimeout(0); // a player legitimately sends nothing
    const play = this.openPlay(grant, 'rtmp', session.ip, {
      backlog: () => session.socket.writableLength,
      destroy: () => session.socket.destroy(),
      closed: connection.closed,
    });
    connection.playId = play.playId;
    this.attachPlayer(play, session);
    rtmp.streamApp = this.internalApp;
    Rtmp.prototype.onPlay.call(rtmp, { ...message, streamName: rawQuery === '' ? source : `${source}?${rawQuery}` });
    this.endBurst(play);
    this.emitPlay(play);
  }

  /**
   * Pitfalls 13/14: answer with an RTMP error status instead of Publish.Start, stop reading, and
   * destroy the socket once the status is flushed: the session never reaches NMS's broadcast.
   */
  private refuseRtmp(connection: RtmpConnection, action: 'publish' | 'play', streamCode: string, error: unknown): void {
    const { session } = connection;
    const socket = session.socket;
    const payload = this.countRefusal(action, 'rtmp', streamCode, session.ip, error);
    connection.role = 'refused';
    socket.removeListener('data', session.onData);
    const statusCode = action === 'publish' ? 'NetStream.Publish.BadName' : 'NetStream.Play.Failed';
    try {
      session.rtmp.sendStatusMessage(session.rtmp.parserPacket.header.stream_id, 'error', statusCode, `${payload.code}: ${payload.message}`);
    } catch (sendError) {
      this.log.debug({ err: sendError }, 'could not send the refusal status');
    }
    const timer = setTimeout(() => socket.destroy(), REFUSE_DESTROY_FALLBACK_MS);
    timer.unref();
    this.timers.add(timer);
    socket.once('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
    socket.end(() => socket.destroy());
  }

  // ---- HTTP-FLV / WS-FLV -----------------------------------------------------------------------

  /** GET /live/{code}.flv[?session_id=…&txSecret=…&txTime=…] on the shared HTTP port. */
  handleFlvRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt < 0 ? url : url.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : url.slice(queryAt + 1);
    const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const match = FLV_PATH.exec(pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // Publishing over HTTP-FLV would bypass the RTMP refusal path; only RTMP publishes.
      sendJsonError(res, 405, new LinkMicError('NOT_ALLOWED', 'only GET plays are served here; publish over RTMP'));
      return;
    }
    let grant: PlayGrant;
    try {
      if (this.state !== 'running') throw new LinkMicError('INVALID_STATE', 'the origin is closing');
      if (!match) throw new LinkMicError('INVALID_URL', 'expected /live/{streamCode}.flv');
      grant = this.policy.checkPlay({ app: match[1]!, streamCode: match[2]!, query: parseQuery(rawQuery), linkCount: (id) => this.linkCount(id) });
    } catch (error) {
      const payload = this.countRefusal('play', 'http-flv', match?.[2] ?? pathname, remote, error);
      sendJsonError(res, statusForCode(payload.code), payload);
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'video/x-flv',
      'Cache-Control': 'no-cache, no-store',
      'Access-Control-Allow-Origin': '*',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    req.socket.setNoDelay(true);
    const socket = req.socket;
    const play = this.openPlay(grant, 'http-flv', remote, {
      backlog: () => res.writableLength,
      destroy: () => socket.destroy(),
      closed: new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve()))),
    });
    // FlvSession expects an express request: params, query and hostname.
    // [mixer] an audience play of a mixed stream is served from the mix
    const source = this.playSource(grant, parseQuery(rawQuery));
    Object.assign(req, { params: { app: this.internalApp, name: source }, query: Object.fromEntries(parseQuery(rawQuery)), hostname: req.headers.host?.split(':')[0] ?? '' });
    const session = new FlvSession(req, res);
    this.attachPlayer(play, session);
    session.run();
    this.endBurst(play);
    socket.once('close', () => this.finishPlay(play.playId));
    this.emitPlay(play);
  }

  /** Upgrade of GET /live/{code}.flv to WebSocket-FLV on the shared HTTP port. */
  handleFlvUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt < 0 ? url : url.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : url.slice(queryAt + 1);
    const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const match = FLV_PATH.exec(pathname);
    let grant: PlayGrant;
    try {
      if (this.state !== 'running') throw new LinkMicError('INVALID_STATE', 'the origin is closing');
      if (!match) throw new LinkMicError('INVALID_URL', 'expected /live/{streamCode}.flv');
      const protocols = String(req.headers['sec-websocket-protocol'] ?? '').toLowerCase();
      if (/\b(post|publisher)\b/.test(protocols)) throw new LinkMicError('NOT_ALLOWED', 'publishing over WebSocket is not served; publish over RTMP');
      grant = this.policy.checkPlay({ app: match[1]!, streamCode: match[2]!, query: parseQuery(rawQuery), linkCount: (id) => this.linkCount(id) });
    } catch (error) {
      const payload = this.countRefusal('play', 'ws-flv', match?.[2] ?? pathname, remote, error);
      rejectUpgrade(socket, statusForCode(payload.code), payload);
      return;
    }
    let ws: WebSocket | undefined;
    const play = this.openPlay(grant, 'ws-flv', remote, {
      backlog: () => ws?.bufferedAmount ?? 0,
      destroy: () => (ws ? ws.terminate() : socket.destroy()),
      closed: new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve()))),
    });
    socket.once('close', () => this.finishPlay(play.playId));
    this.wss.handleUpgrade(req, socket, head, (client) => {
      ws = client;
      if (play.ended || this.state !== 'running') {
        client.terminate();
        return;
      }
      (req.socket as net.Socket).setNoDelay(true);
      // FlvSession parses app and name from the URL: point it at the internal app.
      // [mixer] an audience play of a mixed stream is served from the mix
      req.url = `/${this.internalApp}/${this.playSource(grant, parseQuery(rawQuery))}.flv${rawQuery === '' ? '' : `?${rawQuery}`}`;
      const session = new FlvSession(req, client);
      this.attachPlayer(play, session);
      session.run();
      this.endBurst(play);
      this.emitPlay(play);
    });
  }

  // ---- plays -----------------------------------------------------------------------------------

  private openPlay(
    grant: PlayGrant,
    protocol: PlayProtocol,
    remote: string,
    transport: Pick<PlayRecord, 'backlog' | 'destroy' | 'closed'>,
  ): PlayRecord {
    playSeq += 1;
    const play: PlayRecord = {
      playId: `${protocol}-${playSeq.toString(36)}-${Date.now().toString(36)}`,
      streamCode: grant.streamCode,
      kind: grant.sessionId === undefined ? 'audience' : 'link',
      sessionId: grant.sessionId,
      protocol,
      remote,
      startedAt: Date.now(),
      ended: false,
      announced: false,
      bursting: false,
      allowance: 0,
      ...transport,
    };
    this.plays.set(play.playId, play);
    if (play.sessionId !== undefined) this.linkCounts.set(play.sessionId, this.linkCount(play.sessionId) + 1);
    this.counters.playAccepted += 1;
    return play;
  }

  /**
   * Registers the NMS session and guards its writes with the backlog bound (pitfall 7). The
   * caller hands the play to NMS (which writes headers and the GOP cache at once) and then calls
   * `endBurst`: that initial burst is tolerated on top of the bound.
   */
  private attachPlayer(play: PlayRecord, session: BaseSession): void {
    play.session = session;
    play.bursting = true;
    Context.sessions.set(session.id, session);
    this.nmsSessionIds.add(session.id);
    const send = session.sendBuffer;
    const bound = this.options.maxViewerBacklogBytes;
    session.sendBuffer = (buffer: Buffer) => {
      if (play.ended || play.endReason !== undefined) return;
      if (!play.bursting && play.backlog() > bound + play.allowance) {
        this.counters.slowViewersDropped += 1;
        play.endReason = 'slow';
        this.log.info({ streamCode: play.streamCode, remote: play.remote, protocol: play.protocol, backlog: play.backlog() }, 'slow viewer dropped');
        play.destroy();
        return;
      }
      send(buffer);
    };
  }

  private endBurst(play: PlayRecord): void {
    play.bursting = false;
    play.allowance = play.backlog();
  }

  private emitPlay(play: PlayRecord): void {
    if (play.ended) return;
    play.announced = true;
    this.log.info({ streamCode: play.streamCode, kind: play.kind, sessionId: play.sessionId, protocol: play.protocol, remote: play.remote }, 'play');
    const event: { -readonly [K in keyof OriginEvents['play']]: OriginEvents['play'][K] } = {
      playId: play.playId,
      streamCode: play.streamCode,
      kind: play.kind,
      protocol: play.protocol,
      remote: play.remote,
      startedAt: play.startedAt,
    };
    if (play.sessionId !== undefined) event.sessionId = play.sessionId;
    this.events.emit('play', event);
  }

  /** Idempotent: frees the link slot at once and emits `stop`. */
  private finishPlay(playId: string): void {
    const play = this.plays.get(playId);
    if (!play || play.ended) return;
    play.ended = true;
    this.plays.delete(playId);
    if (play.session) {
      this.nmsSessionIds.delete(play.session.id);
      Context.sessions.delete(play.session.id);
    }
    if (play.sessionId !== undefined) {
      const left = this.linkCount(play.sessionId) - 1;
      if (left > 0) this.linkCounts.set(play.sessionId, left);
      else this.linkCounts.delete(play.sessionId);
    }
    const reason = play.endReason ?? 'closed';
    this.log.debug({ streamCode: play.streamCode, kind: play.kind, reason }, 'stop');
    const event: { -readonly [K in keyof OriginEvents['stop']]: OriginEvents['stop'][K] } = {
      playId,
      streamCode: play.streamCode,
      kind: play.kind,
      reason,
    };
    if (play.sessionId !== undefined) event.sessionId = play.sessionId;
    if (play.announced) this.events.emit('stop', event);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  // ---- [mixer] audience → server-mix routing ------------------------------------------------

  /**
   * The NMS stream a granted play is bound to: an audience play (no session_id) of a stream with
   * a running server mix gets the mix; link plays and the server's own internal pulls get the
   * original. The play is still recorded (and ends) under the stream code it asked for.
   */
  private playSource(grant: PlayGrant, query: ReadonlyMap<string, string>): string {
    if (grant.sessionId !== undefined || this.isInternal(query)) return grant.streamCode;
    return this.options.audienceSource?.(grant.streamCode) ?? grant.streamCode;
  }

  /** The query carries this server's internal token (constant-time comparison). */
  private isInternal(query: ReadonlyMap<string, string>): boolean {
    const token = this.options.internalToken;
    const given = query.get('internal');
    return token !== undefined && given !== undefined && constantTimeEqual(given, token);
  }

  private countRefusal(action: 'publish' | 'play', protocol: PlayProtocol, streamCode: string, remote: string, error: unknown) {
    const payload = toErrorPayload(error);
    const counter = action === 'publish' ? this.counters.publishRefused : this.counters.playRefused;
    counter[payload.code] = (counter[payload.code] ?? 0) + 1;
    this.log.info({ action, protocol, streamCode, remote, code: payload.code, reason: payload.message }, `${action} refused`);
    this.events.emit('refused', { action, protocol, streamCode, code: payload.code, message: payload.message, remote });
    return payload;
  }

  private sampleBitrates(): void {
    const now = Date.now();
    for (const record of this.streams.values()) {
      const bytes = record.connection.session.inBytes;
      const elapsed = now - record.lastSampleAt;
      if (elapsed <= 0) continue;
      record.bitrateKbps = Math.round(((bytes - record.lastBytes) * 8) / elapsed);
      record.lastBytes = bytes;
      record.lastSampleAt = now;
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function sendJsonError(res: ServerResponse, status: number, error: unknown): void {
  const payload = error instanceof Error ? toErrorPayload(error) : (error as ErrorPayload);
  const body = JSON.stringify({ error: payload });
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Access-Control-Allow-Origin': '*' });
  res.end(body);
}

function rejectUpgrade(socket: Duplex, status: number, error: unknown): void {
  const body = JSON.stringify({ error: error instanceof Error ? toErrorPayload(error) : (error as ErrorPayload) });
  socket.end(
    `HTTP/1.1 ${status} ${status === 429 ? 'Too Many Requests' : status === 403 ? 'Forbidden' : 'Bad Request'}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.once('finish', () => socket.destroy());
}
