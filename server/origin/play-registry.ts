// The open plays of an origin (RTMP, HTTP-FLV and WS-FLV alike) and the link count per session_id
// they hold: opening a play, guarding its writes with the backlog bound (pitfall 7), announcing
// it (`play`) and finishing it once (`stop`), which frees its link slot at once.
import type { PlayProtocol, SessionId, TypedEmitter } from '../../common';
import type { Logger } from '../../node/logger';
import { Context, type BaseSession } from './nms-bridge';
import type { PlayGrant } from './origin-policy';
import type { OriginCounters, PlayRecord } from './origin-records';
import type { OriginEvents, PlayInfo } from './origin-types';

let playSeq = 0;

export interface PlayRegistryOptions {
  readonly log: Logger;
  readonly events: TypedEmitter<OriginEvents>;
  readonly counters: OriginCounters;
  /** NMS session ids the origin registered (a play's session joins them while it is open). */
  readonly nmsSessionIds: Set<string>;
  /** A viewer whose unsent backlog passes this many bytes is dropped. */
  readonly maxViewerBacklogBytes: number;
}

export class PlayRegistry {
  private readonly plays = new Map<string, PlayRecord>();
  private readonly linkCounts = new Map<SessionId, number>();

  constructor(private readonly options: PlayRegistryOptions) {}

  get size(): number {
    return this.plays.size;
  }

  values(): IterableIterator<PlayRecord> {
    return this.plays.values();
  }

  get(playId: string): PlayRecord | undefined {
    return this.plays.get(playId);
  }

  /** Open low-latency links under `sessionId`. */
  linkCount(sessionId: SessionId): number {
    return this.linkCounts.get(sessionId) ?? 0;
  }

  totalLinks(): number {
    return [...this.linkCounts.values()].reduce((sum, n) => sum + n, 0);
  }

  list(): PlayInfo[] {
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

  open(grant: PlayGrant, protocol: PlayProtocol, remote: string, transport: Pick<PlayRecord, 'backlog' | 'destroy' | 'closed'>): PlayRecord {
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
    this.options.counters.playAccepted += 1;
    return play;
  }

  /**
   * Registers the NMS session and guards its writes with the backlog bound (pitfall 7). The
   * caller hands the play to NMS (which writes headers and the GOP cache at once) and then calls
   * `endBurst`: that initial burst is tolerated on top of the bound.
   */
  attachPlayer(play: PlayRecord, session: BaseSession): void {
    play.session = session;
    play.bursting = true;
    Context.sessions.set(session.id, session);
    this.options.nmsSessionIds.add(session.id);
    const send = session.sendBuffer;
    const bound = this.options.maxViewerBacklogBytes;
    session.sendBuffer = (buffer: Buffer) => {
      if (play.ended || play.endReason !== undefined) return;
      if (!play.bursting && play.backlog() > bound + play.allowance) {
        this.options.counters.slowViewersDropped += 1;
        play.endReason = 'slow';
        this.options.log.info({ streamCode: play.streamCode, remote: play.remote, protocol: play.protocol, backlog: play.backlog() }, 'slow viewer dropped');
        play.destroy();
        return;
      }
      send(buffer);
    };
  }

  endBurst(play: PlayRecord): void {
    play.bursting = false;
    play.allowance = play.backlog();
  }

  /** Emits `play` (unless the play already ended). */
  announce(play: PlayRecord): void {
    if (play.ended) return;
    play.announced = true;
    this.options.log.info({ streamCode: play.streamCode, kind: play.kind, sessionId: play.sessionId, protocol: play.protocol, remote: play.remote }, 'play');
    const event: { -readonly [K in keyof OriginEvents['play']]: OriginEvents['play'][K] } = {
      playId: play.playId,
      streamCode: play.streamCode,
      kind: play.kind,
      protocol: play.protocol,
      remote: play.remote,
      startedAt: play.startedAt,
    };
    if (play.sessionId !== undefined) event.sessionId = play.sessionId;
    this.options.events.emit('play', event);
  }

  /** Idempotent: frees the link slot at once and emits `stop`. */
  finish(playId: string): void {
    const play = this.plays.get(playId);
    if (!play || play.ended) return;
    play.ended = true;
    this.plays.delete(playId);
    if (play.session) {
      this.options.nmsSessionIds.delete(play.session.id);
      Context.sessions.delete(play.session.id);
    }
    if (play.sessionId !== undefined) {
      const left = this.linkCount(play.sessionId) - 1;
      if (left > 0) this.linkCounts.set(play.sessionId, left);
      else this.linkCounts.delete(play.sessionId);
    }
    const reason = play.endReason ?? 'closed';
    this.options.log.debug({ streamCode: play.streamCode, kind: play.kind, reason }, 'stop');
    const event: { -readonly [K in keyof OriginEvents['stop']]: OriginEvents['stop'][K] } = {
      playId,
      streamCode: play.streamCode,
      kind: play.kind,
      reason,
    };
    if (play.sessionId !== undefined) event.sessionId = play.sessionId;
    if (play.announced) this.options.events.emit('stop', event);
  }

  /** Forgets every play (after close: their transports are gone). */
  clear(): void {
    this.plays.clear();
    this.linkCounts.clear();
  }
}
