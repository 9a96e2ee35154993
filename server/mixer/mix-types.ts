// Public shapes of the server-side mixer (server/mixer): statuses as /api/streams reports them.
import type { LayoutTemplateId } from '../../common/layout';

export type MixState = 'starting' | 'running' | 'restarting' | 'failed' | 'closed';

export type MixPartyRole = 'big' | 'small' | 'pk-peer';

export interface MixPartyStatus {
  readonly streamCode: string;
  readonly role: MixPartyRole;
  /** Decoding (has delivered a picture since its last start). */
  readonly live: boolean;
  readonly restarts: number;
  readonly lastError: string | null;
}

export interface MixStatus {
  /** The big host's stream code: its audience plays are served from `outputCode`. */
  readonly streamCode: string;
  readonly outputCode: string;
  readonly templateId: LayoutTemplateId;
  readonly sessionId: number;
  readonly state: MixState;
  readonly parties: readonly MixPartyStatus[];
  /** Encoder restarts (died, or could not keep up). */
  readonly restarts: number;
  readonly lastError: string | null;
  /** Encoder speed from -progress (1 = real time). */
  readonly speed: number;
  /** Ticks skipped because the encoder had not taken the previous ones. */
  readonly droppedTicks: number;
  readonly startedAt: number;
  /** What is drawn over the pictures: the PK battle's score bar (its own host left), or null. */
  readonly overlay: { readonly kind: 'battle'; readonly left: number; readonly right: number; readonly phase: 'battle' | 'result' } | null;
}

/** A PK battle as the mixer reads it from the signalling service: the mix's own room first. */
export interface MixBattle {
  readonly own: number;
  readonly peer: number;
  readonly phase: 'battle' | 'result';
  /** When the battle phase ends, server time (ms). */
  readonly endsAt: number;
  /** In the result phase: who won (`draw` on equal scores); null during the battle. */
  readonly winner: 'own' | 'peer' | 'draw' | null;
  /** The server time the battle was read at (the signalling clock may differ from `Date.now()`). */
  readonly serverTime: number;
}

export interface MixerOptions {
  /** ffmpeg binary (default `ffmpeg` on PATH, or FFMPEG_PATH). */
  readonly ffmpegPath?: string;
  /** Output picture (default the big-host preset, 360x640 at 15 fps, 800 kbps). */
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly videoKbps?: number;
  /** x264 preset (default veryfast). */
  readonly x264Preset?: string;
  /** Restart when -progress speed stays below this (default 0.9) … */
  readonly minSpeed?: number;
  /** … for this long (default 3000 ms). */
  readonly slowForMs?: number;
  /** Give up (state `failed`, audiences get the original again) after this many restarts in a minute (default 5). */
  readonly maxRestartsPerMinute?: number;
  /** Turn server-side mixing off. */
  readonly enabled?: boolean;
}
