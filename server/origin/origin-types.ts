// The origin's public shapes: events for media awareness, live-stream and play listings, counters.
// Names are stable: the signalling service and the mixer consume them.
import type { ErrorCode, Layer, PlayProtocol, SessionId } from '../../common';

/** How a stream or a play ended. */
export type EndReason =
  /** The peer closed its connection. */
  | 'closed'
  /** A publisher sent nothing for `publisherIdleTimeoutMs` (frozen encoder, dead peer). */
  | 'timeout'
  /** A viewer did not read fast enough: its backlog passed `maxViewerBacklogBytes`. */
  | 'slow'
  /** Closed through `closeStream` / `closePlay` (e.g. by the signalling service). */
  | 'kicked'
  /** The played stream was unpublished. */
  | 'unpublished'
  /** The origin closed. */
  | 'server-closed';

export interface PublishEvent {
  readonly streamCode: string;
  readonly sessionId?: SessionId;
  readonly layer?: Layer;
  readonly templateId?: number;
  /** Unique id of this publish (the origin's session id); stable until `unpublish`. */
  readonly sessionKey: string;
  readonly protocol: 'rtmp';
  /** "address:port" of the encoder. */
  readonly remote: string;
  readonly startedAt: number;
}

export interface UnpublishEvent {
  readonly streamCode: string;
  readonly sessionKey: string;
  readonly reason: EndReason;
}

/** `link` = a low-latency play carrying session_id (counted against the quota); else `audience`. */
export type PlayKind = 'link' | 'audience';

export interface PlayEvent {
  /** Unique id of this play; pass it to `closePlay`. */
  readonly playId: string;
  readonly streamCode: string;
  readonly kind: PlayKind;
  readonly sessionId?: SessionId;
  readonly protocol: PlayProtocol;
  readonly remote: string;
  readonly startedAt: number;
}

export interface StopEvent {
  readonly playId: string;
  readonly streamCode: string;
  readonly kind: PlayKind;
  readonly sessionId?: SessionId;
  readonly reason: EndReason;
}

export interface RefusedEvent {
  readonly action: 'publish' | 'play';
  readonly protocol: PlayProtocol;
  /** The stream code as sent (may be invalid). */
  readonly streamCode: string;
  readonly code: ErrorCode;
  readonly message: string;
  readonly remote: string;
}

// A type alias (not an interface) so it satisfies TypedEmitter's string-keyed event map.
export type OriginEvents = {
  publish: PublishEvent;
  unpublish: UnpublishEvent;
  play: PlayEvent;
  stop: StopEvent;
  refused: RefusedEvent;
  /** Emitted once when the origin has closed. */
  close: undefined;
};

export interface LiveStreamInfo {
  readonly streamCode: string;
  readonly sessionKey: string;
  readonly sessionId: SessionId | null;
  readonly layer: Layer | null;
  readonly templateId: number | null;
  /** Incoming bitrate over the last sampling interval, kbit/s. */
  readonly bitrateKbps: number;
  readonly uptimeMs: number;
  readonly startedAt: number;
  /** Low-latency plays of this stream. */
  readonly linkCount: number;
  /** Audience plays of this stream. */
  readonly viewerCount: number;
  readonly video: { readonly width: number; readonly height: number; readonly fps: number } | null;
}

export interface PlayInfo {
  readonly playId: string;
  readonly streamCode: string;
  readonly kind: PlayKind;
  readonly sessionId: SessionId | null;
  readonly protocol: PlayProtocol;
  readonly remote: string;
  readonly startedAt: number;
  readonly bytesSent: number;
}

export interface OriginStats {
  readonly publishAccepted: number;
  readonly playAccepted: number;
  /** Refused publishes by reason code. */
  readonly publishRefused: Readonly<Partial<Record<ErrorCode, number>>>;
  /** Refused plays by reason code. */
  readonly playRefused: Readonly<Partial<Record<ErrorCode, number>>>;
  readonly publishersTimedOut: number;
  readonly slowViewersDropped: number;
  /** RTMP peers dropped for malformed input or a missed deadline, by reason code (rtmp-guard.ts). */
  readonly rtmpPeersDropped: Readonly<Partial<Record<ErrorCode, number>>>;
  readonly liveStreams: number;
  readonly activePlays: number;
  readonly activeLinks: number;
}
