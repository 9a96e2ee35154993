// What an origin holds while it runs, shared by its parts: the RTMP admission (rtmp-admission.ts),
// the FLV serving over HTTP and WS (flv-serving.ts), the play registry (play-registry.ts) and the
// mixer routing (mix-routing.ts). Origin (origin.ts) owns one OriginShared and the lifecycle.
import type { ErrorCode, PlayProtocol, SessionId, TypedEmitter } from '../../common';
import type { Logger } from '../../node/logger';
import type { BaseSession, RtmpSession } from './nms-bridge';
import type { OriginOptions } from './origin-options';
import type { OriginPolicy, PolicyState, PublishGrant } from './origin-policy';
import type { EndReason, OriginEvents, PlayKind } from './origin-types';
import type { MixRouting } from './mix-routing';
import type { PlayRegistry } from './play-registry';
import type { RtmpGuard } from './rtmp-guard';

export interface RtmpConnection {
  readonly session: RtmpSession;
  readonly closed: Promise<void>;
  /** Guards the connection's parse paths and deadlines (rtmp-guard.ts). */
  guard?: RtmpGuard;
  role: 'pending' | 'publisher' | 'player' | 'refused';
  streamCode?: string;
  playId?: string;
  endReason?: EndReason;
}

export interface StreamRecord {
  readonly streamCode: string;
  readonly grant: PublishGrant;
  readonly connection: RtmpConnection;
  readonly startedAt: number;
  lastBytes: number;
  lastSampleAt: number;
  bitrateKbps: number;
}

export interface PlayRecord {
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

export interface OriginCounters {
  publishAccepted: number;
  playAccepted: number;
  publishRefused: Partial<Record<ErrorCode, number>>;
  playRefused: Partial<Record<ErrorCode, number>>;
  publishersTimedOut: number;
  slowViewersDropped: number;
  rtmpPeersDropped: Partial<Record<ErrorCode, number>>;
}

/** The state and collaborators an origin's parts share. */
export interface OriginShared {
  readonly options: OriginOptions;
  readonly log: Logger;
  readonly events: TypedEmitter<OriginEvents>;
  readonly policy: OriginPolicy;
  /** The server state the policy decides on (live streams, link counts, what signalling issued). */
  readonly policyState: PolicyState;
  /** NMS app name this origin's streams live under (internal; clients always use `live`). */
  readonly internalApp: string;
  readonly counters: OriginCounters;
  /** Live streams by stream code. */
  readonly streams: Map<string, StreamRecord>;
  readonly plays: PlayRegistry;
  readonly routing: MixRouting;
  /** NMS session ids this origin registered in NMS's process-global context. */
  readonly nmsSessionIds: Set<string>;
  /** Pending timers, cleared on close. */
  readonly timers: Set<NodeJS.Timeout>;
  /** The origin accepts publishes and plays (it is neither starting nor closing). */
  isRunning(): boolean;
}
