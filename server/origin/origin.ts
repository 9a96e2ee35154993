// The media origin: node-media-server 4.4.3's RTMP / FLV machinery behind an adapter that owns
// its lifecycle and fixes each measured pitfall (../shared/design/node-media-server-notes.md):
//  1  own listeners: a port clash rejects start() with PORT_IN_USE; port 0 picks a free port
//  2  start() resolves once listening
//  3  close() destroys every socket and removes this origin's sessions and broadcasts from NMS's
//     process-global state; each origin runs under its own internal app name, so several origins
//     (in turn or at once) never share a stream
//  4  no publish grace: an ended publish is finished at once, nobody "resumes" a stream (nms-bridge)
//  5  postPublish never runs for a refused publisher (we refuse before NMS sees the publish)
//  6  publisher sockets have an idle timeout: a frozen encoder is dropped (`timeout`)
//  7  backpressure: a viewer whose unsent backlog passes a bound is dropped (`slow`, play-registry)
//  8  NMS's store is never opened: no ./data folder
//  9  NMS's console logging is routed into pino (nms-bridge)
//  13 a refused publisher never reaches NMS's broadcast, its socket stops being read and is destroyed
//  14 refusals are RTMP error statuses sent instead of NetStream.Publish.Start (BadName with a
//     description "CODE: reason"), so an encoder stops and says why (rtmp-admission)
// The parts, one job each: rtmp-admission.ts (RTMP publishes and plays), flv-serving.ts (HTTP-FLV
// and WS-FLV plays), play-registry.ts (open plays and link counts), mix-routing.ts ([mixer]
// audience → mix), nms-bridge.ts (everything that touches NMS internals). This file owns the
// lifecycle, the queries and the control calls. The HTTP side is mounted on the server's shared
// HTTP port by the composition root through handleFlvRequest / handleFlvUpgrade.
import net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { InvalidStateError, TypedEmitter, type SessionId } from '../../common';
import type { Logger } from '../../node/logger';
import { closeServer, listenOn } from '../../node/listen';
import { attachNmsLogger, nextInternalApp, nmsStateOf, sweepNmsState } from './nms-bridge';
import { FlvServing } from './flv-serving';
import { MixRouting } from './mix-routing';
import type { OriginOptions } from './origin-options';
import { OriginPolicy } from './origin-policy';
import type { OriginCounters, OriginShared, StreamRecord } from './origin-records';
import type { EndReason, LiveStreamInfo, OriginEvents, OriginStats, PlayInfo } from './origin-types';
import { PlayRegistry } from './play-registry';
import { RtmpAdmission } from './rtmp-admission';

export type { OriginOptions } from './origin-options';
export { INTERNAL_STREAM_SUFFIX } from './mix-routing';

const DEFAULT_BITRATE_SAMPLE_MS = 2000;

export class Origin {
  readonly events: TypedEmitter<OriginEvents>;
  /** NMS app name this origin's streams live under (internal; clients always use `live`). */
  readonly internalApp = nextInternalApp();
  private readonly log: Logger;
  private state: 'idle' | 'starting' | 'running' | 'closing' | 'closed' = 'idle';
  private closing: Promise<void> | undefined;
  private rtmpServer: net.Server | undefined;
  private readonly nmsSessionIds = new Set<string>();
  private readonly streams = new Map<string, StreamRecord>();
  private readonly plays: PlayRegistry;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly counters: OriginCounters = {
    publishAccepted: 0,
    playAccepted: 0,
    publishRefused: {},
    playRefused: {},
    publishersTimedOut: 0,
    slowViewersDropped: 0,
    rtmpPeersDropped: {},
  };
  private readonly admission: RtmpAdmission;
  private readonly flv: FlvServing;
  private sampler: NodeJS.Timeout | undefined;
  private detachLogger: (() => void) | undefined;

  constructor(
    readonly options: OriginOptions,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'origin' });
    this.events = new TypedEmitter<OriginEvents>((error, event) => this.log.error({ err: error, event }, 'origin event listener threw'));
    this.plays = new PlayRegistry({
      log: this.log,
      events: this.events,
      counters: this.counters,
      nmsSessionIds: this.nmsSessionIds,
      maxViewerBacklogBytes: options.maxViewerBacklogBytes,
    });
    const shared: OriginShared = {
      options,
      log: this.log,
      events: this.events,
      policy: new OriginPolicy({ key: options.key, linkQuota: options.linkQuota, requirePlaySign: options.requirePlaySign }),
      policyState: {
        isLive: (streamCode) => this.streams.has(streamCode),
        linkCount: (sessionId) => this.plays.linkCount(sessionId),
        issuedSession: (sessionId) => options.issuedSession?.(sessionId),
      },
      internalApp: this.internalApp,
      counters: this.counters,
      streams: this.streams,
      plays: this.plays,
      routing: new MixRouting(options),
      nmsSessionIds: this.nmsSessionIds,
      timers: this.timers,
      isRunning: () => this.state === 'running',
    };
    this.admission = new RtmpAdmission(shared);
    this.flv = new FlvServing(shared);
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Starts the RTMP listener; resolves with the port once it listens. */
  async listenRtmp(host: string, port: number): Promise<number> {
    if (this.state !== 'idle') throw new InvalidStateError(`origin cannot start: it is ${this.state}`);
    this.state = 'starting';
    this.detachLogger = attachNmsLogger(this.log);
    const server = net.createServer({ noDelay: true }, (socket) => this.admission.onConnection(socket));
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
      this.flv.close();
      throw error;
    }
  }

  /** GET /live/{code}.flv[?session_id=…&txSecret=…&txTime=…] on the shared HTTP port. */
  handleFlvRequest(req: IncomingMessage, res: ServerResponse): void {
    this.flv.handleRequest(req, res);
  }

  /** Upgrade of GET /live/{code}.flv to WebSocket-FLV on the shared HTTP port. */
  handleFlvUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.flv.handleUpgrade(req, socket, head);
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
    return this.plays.list();
  }

  /** Open low-latency links under `sessionId`. */
  linkCount(sessionId: SessionId): number {
    return this.plays.linkCount(sessionId);
  }

  stats(): OriginStats {
    return {
      publishAccepted: this.counters.publishAccepted,
      playAccepted: this.counters.playAccepted,
      publishRefused: { ...this.counters.publishRefused },
      playRefused: { ...this.counters.playRefused },
      publishersTimedOut: this.counters.publishersTimedOut,
      slowViewersDropped: this.counters.slowViewersDropped,
      rtmpPeersDropped: { ...this.counters.rtmpPeersDropped },
      liveStreams: this.streams.size,
      activePlays: this.plays.size,
      activeLinks: this.plays.totalLinks(),
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
    for (const connection of this.admission.connections) {
      connection.endReason ??= 'server-closed';
      connection.session.socket.destroy();
      waits.push(connection.closed);
    }
    await Promise.race([Promise.all(waits), delay(2000)]);
    await serverClosed;
    this.flv.close();
    const swept = sweepNmsState(this.internalApp, this.nmsSessionIds);
    if (swept.sessions > 0 || swept.broadcasts > 0) this.log.debug(swept, 'swept NMS state left after close');
    this.nmsSessionIds.clear();
    this.streams.clear();
    this.plays.clear();
    this.state = 'closed';
    this.detachLogger?.();
    this.detachLogger = undefined;
    if (wasStarted) this.events.emit('close', undefined);
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
