// The state snapshot the console renders (`getState()` and the `state` event). Plain data: it
// crosses IPC (structured clone) and the web bridge (JSON) unchanged.
import type { ErrorPayload } from '../errors';
import type { Layout } from '../layout';
import type { Battle } from '../signal/pk-battle';
import type { AudioProcessing, EncoderChoice, Sources } from './inputs';

export type LiveStatus = 'offline' | 'starting' | 'live' | 'reconnecting' | 'stopping';
/** big = pushing our own room (layer:b); small = pushing as a linked guest (layer:s). */
export type PushRole = 'big' | 'small';

export interface LiveState {
  readonly status: LiveStatus;
  readonly role: PushRole | null;
  readonly streamCode: string | null;
  /** Unix ms when the push went live (null while not live). */
  readonly startedAt: number | null;
  /** Reconnect attempt in progress (0 when none). */
  readonly reconnectAttempt: number;
  /** The ffmpeg encoder actually in use (e.g. h264_nvenc, libx264). */
  readonly encoder: string | null;
  readonly lastError: ErrorPayload | null;
}

export type ServerStatus = 'stopped' | 'starting' | 'running' | 'error';
export type SignalStatus = 'disconnected' | 'connecting' | 'connected';

export interface ServerState {
  readonly kind: 'embedded' | 'remote';
  /** Embedded: the local server's state; remote: always 'running' (we do not own it). */
  readonly status: ServerStatus;
  readonly httpUrl: string | null;
  readonly rtmpUrl: string | null;
  readonly signal: SignalStatus;
  readonly userId: string;
  /** Remote profile: whether a token is stored (the token itself never leaves main). */
  readonly hasToken: boolean;
  /** Whether secrets are stored encrypted on this host (false on the web host / plain Node). */
  readonly secretsEncrypted: boolean;
  readonly lastError: ErrorPayload | null;
  /** The PK battle lengths the connected server accepts, seconds (the console's duration picker). */
  readonly battleDurationsSec: readonly number[];
}

export interface PlayUrlsView {
  readonly rtmp: string;
  readonly httpFlv: string;
  readonly wsFlv: string;
}

/** Local playback of a co-host: applied by the renderer's link player. */
export interface CoHostAudio {
  readonly muted: boolean;
  /** 0..1 */
  readonly volume: number;
}

export interface RoomView {
  readonly roomId: string;
  readonly streamCode: string;
  readonly sessionId: number;
  readonly allowLinkRequests: boolean;
  readonly guestLimit: number;
  /** Server-side mix for the audience with its template, or null = client-side mix (the default). */
  readonly serverMix: { readonly templateId: number } | null;
  readonly guests: ReadonlyArray<{ readonly userId: string; readonly streamCode: string; readonly linkId: string }>;
  readonly layout: Layout | null;
  /** Audience (ordinary FLV) URL per stream code in the room. */
  readonly audienceUrls: Readonly<Record<string, string>>;
  readonly viewerCount: number;
}

export interface LinkView {
  readonly linkId: string;
  readonly roomId: string;
  /** host = we own the room and a guest linked in; guest = we linked into someone's room. */
  readonly role: 'host' | 'guest';
  readonly sessionId: number;
  readonly peer: { readonly userId: string; readonly streamCode: string };
  /** Low-latency URLs of the peer's stream (play with the 200 ms link player). */
  readonly playUrls: PlayUrlsView;
  readonly audio: CoHostAudio;
}

export interface LinkRequestView {
  readonly requestId: string;
  readonly roomId: string;
  /** incoming = someone asks to link into our room; outgoing = we asked. */
  readonly direction: 'incoming' | 'outgoing';
  readonly from: string | null;
  readonly streamCode: string | null;
  readonly expiresAt: number | null;
}

export interface PkView {
  readonly pkId: string;
  readonly roomId: string;
  readonly sessionId: number;
  readonly peer: { readonly userId: string; readonly roomId: string; readonly streamCode: string; readonly sessionId: number };
  readonly playUrls: PlayUrlsView;
  readonly audio: CoHostAudio;
  /** The battle (clock, scores, result) when this PK is a PK battle; null for an open-ended PK. */
  readonly battle: PkBattleView | null;
}

/** A PK battle as mirrored from signalling (`pk.battle`); the clock is the server's. */
export interface PkBattleView {
  readonly pkId: string;
  readonly battle: Battle;
  /** Server clock minus this studio's clock when the battle was last heard of, ms (countdown = endsAt − (now + offset)). */
  readonly serverOffsetMs: number;
}

export interface PkInviteView {
  readonly pkId: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly from: string | null;
  readonly fromRoomId: string | null;
  readonly toRoomId: string | null;
  readonly expiresAt: number | null;
}

/** The push engine in use, as the settings panel shows it (the OBS password never leaves main). */
export interface EngineView {
  readonly kind: 'ffmpeg' | 'obs';
  readonly obsUrl: string;
  readonly hasObsPassword: boolean;
}

/** What "Test connection" found at the OBS address. */
export interface ObsDescription {
  readonly obsVersion: string;
  readonly obsWebSocketVersion: string;
  readonly rpcVersion: number;
  readonly platform: string;
  /** In OBS's dock order (top first). */
  readonly scenes: readonly string[];
  readonly currentScene: string | null;
}

export interface PushStats {
  readonly at: number;
  readonly fps: number;
  readonly bitrateKbps: number;
  /** Frames pushed (OBS engine: the stream output's total frames). */
  readonly frames: number;
  /** Frames lost on the way out (OBS engine: the stream output's skipped frames). */
  readonly droppedFrames: number;
  /** Media time pushed, ms. */
  readonly outTimeMs: number;
  /** Encoding speed relative to real time (1 = keeping up). */
  readonly speed: number;
  /** PCM audio frames received from the renderer and dropped (engine not ready / queue full). */
  readonly audioFramesIn: number;
  readonly audioFramesDropped: number;
  /** OBS engine: how far the network is behind, 0..1 (OBS's congestion). */
  readonly congestion?: number;
  /** OBS engine: OBS's own CPU use, percent of one core. */
  readonly cpuPercent?: number;
  /** OBS engine: bytes the stream output sent since it started. */
  readonly bytesSent?: number;
}

export interface EncoderInfo {
  readonly name: string;
  readonly hardware: boolean;
  readonly usable: boolean;
  readonly detail?: string;
}

export interface SourceInfo {
  readonly kind: 'test-pattern' | 'camera' | 'screen' | 'file' | 'renderer-mic' | 'test-tone' | 'none';
  /** camera / screen device id, when the kind needs one. */
  readonly id?: string;
  readonly label: string;
}

export interface SourceList {
  readonly video: readonly SourceInfo[];
  readonly audio: readonly SourceInfo[];
}

export interface FfmpegState {
  readonly path: string | null;
  readonly version: string | null;
  readonly error: ErrorPayload | null;
}

export interface RecordingFileView {
  readonly path: string;
  /** program = what we pushed; guest / pk = a co-host's / PK opponent's original stream (ISO). */
  readonly role: 'program' | 'guest' | 'pk';
  /** The co-host's user id (ISO files), or null. */
  readonly userId: string | null;
  readonly bytes: number;
  readonly durationMs: number;
  /** Still being written. */
  readonly active: boolean;
}

export interface RecordingState {
  readonly status: 'idle' | 'recording';
  readonly iso: boolean;
  /** The folder recordings go to (the setting, or the default). */
  readonly folder: string;
  /** Unix ms when this recording started (null when idle). */
  readonly startedAt: number | null;
  /** The files of the current (or last) recording. */
  readonly files: readonly RecordingFileView[];
  readonly lastError: ErrorPayload | null;
}

export interface StudioState {
  /** Increases with every change; a console can drop stale snapshots. */
  readonly revision: number;
  readonly live: LiveState;
  readonly server: ServerState;
  /** The room this studio hosts (null before `openRoom` / `goLive`). */
  readonly room: RoomView | null;
  /** Rooms joined as a viewer (to request link-mic). */
  readonly joinedRooms: readonly string[];
  readonly links: readonly LinkView[];
  readonly linkRequests: readonly LinkRequestView[];
  readonly pk: PkView | null;
  readonly pkInvites: readonly PkInviteView[];
  /** PK battles of rooms joined as a viewer (audience mode: the console can vote). */
  readonly watchedBattles: readonly PkBattleView[];
  /** The layout audiences see (our room's, or the room we are linked into). */
  readonly layout: Layout | null;
  readonly sources: Sources;
  readonly encoder: EncoderChoice & { readonly available: readonly EncoderInfo[] | null };
  readonly audioProcessing: AudioProcessing;
  readonly stats: PushStats | null;
  readonly ffmpeg: FfmpegState;
  readonly engine: EngineView;
  readonly recording: RecordingState;
}
