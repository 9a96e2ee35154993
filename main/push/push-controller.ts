// The push controller: the one owner of the studio's push. It starts, restarts and stops the push
// through the push engine port (push-engine-port.ts; the ffmpeg engine or OBS), holds the live
// state the console shows (LiveState) and the last stats, and tells its owner (StudioCore) what
// changed through typed events. One push at a time; a stop while the engine is still starting
// closes that push as soon as the engine hands it over.
import { toErrorPayload, type ErrorPayload } from '../../common/errors';
import type { EncoderSettings } from '../../common/presets';
import { DEFAULT_ENGINE_SETTINGS, type LiveState, type PushRole, type PushStats, type StudioSettings } from '../../common/studio-api';
import { DisposableStore, TypedEmitter } from '../../common/typed-emitter';
import type { PushSession, PushStatus, StudioEngine } from './push-engine-port';

export const OFFLINE: LiveState = Object.freeze({ status: 'offline', role: null, streamCode: null, startedAt: null, reconnectAttempt: 0, encoder: null, lastError: null });

export interface PushControllerEvents extends Record<string, unknown> {
  /** The push status moved (the contract's `push` event). */
  push: { status: LiveState['status']; attempt: number; error: ErrorPayload | null };
  stats: PushStats;
  /** A failure to report (the push may go on). */
  error: ErrorPayload;
  /** Anything in `live` or `stats` changed. */
  changed: void;
}

export interface PushControllerOptions {
  readonly engine: StudioEngine;
  readonly now: () => number;
  /** The settings now (sources, encoder, engine, ffmpeg path, echo cancellation). */
  readonly settings: () => StudioSettings;
  /** True once the owner is shutting down: a push handed over then is closed at once. */
  readonly closing: () => boolean;
  /** The renderer mic's frame counters, copied into every stats sample. */
  readonly audioCounters: () => { audioFramesIn: number; audioFramesDropped: number };
  readonly onListenerError?: (error: unknown, event: string) => void;
}

/** What a push was started with (to restart it with the same role). */
interface PushTarget {
  readonly url: string;
  readonly role: PushRole;
  readonly streamCode: string | null;
}

export class PushController {
  readonly events: TypedEmitter<PushControllerEvents>;
  private session: PushSession | null = null;
  /** A push being started (engine.startPush not yet resolved). */
  private starting: Promise<void> | null = null;
  private subscriptions: DisposableStore | null = null;
  private stopRequested = false;
  private target: PushTarget | null = null;
  private liveState: LiveState = OFFLINE;
  private lastStats: PushStats | null = null;

  constructor(private readonly options: PushControllerOptions) {
    this.events = new TypedEmitter<PushControllerEvents>(options.onListenerError);
  }

  get live(): LiveState {
    return this.liveState;
  }

  get stats(): PushStats | null {
    return this.lastStats;
  }

  /** A push is running or starting. */
  get active(): boolean {
    return this.session !== null || this.starting !== null;
  }

  /** Writes one PCM frame of the renderer's mic into the running push; false when none runs. */
  pushPcm(frame: Uint8Array): boolean {
    if (!this.session) return false;
    this.session.pushPcm(frame);
    return true;
  }

  /**
   * What the streamer changed in the role's preset: the encoder overrides and echo cancellation.
   * The engine merges them over the preset (main/engine/push-engine.ts resolveSettings, the one merge).
   */
  encoderOverrides(): Partial<EncoderSettings> {
    const settings = this.options.settings();
    return { ...(settings.encoder.overrides ?? {}), enableAEC: settings.audioProcessing.echoCancellation };
  }

  start(url: string, role: PushRole, streamCode: string | null): Promise<void> {
    this.target = { url, role, streamCode };
    const starting = this.doStart(url, role, streamCode).finally(() => {
      if (this.starting === starting) this.starting = null;
    });
    this.starting = starting;
    return starting;
  }

  /**
   * Restarts the current push (same role) so new sources / encoder settings apply; `bigHostUrl`
   * replaces the URL of a big-host push (our room's mix changed).
   */
  async restart(bigHostUrl?: string): Promise<void> {
    const target = this.target;
    if (!target || !this.active) return;
    if (bigHostUrl !== undefined && target.role !== 'big') return;
    await this.stop();
    await this.start(bigHostUrl ?? target.url, target.role, target.streamCode);
  }

  async stop(): Promise<void> {
    if (this.starting) {
      // Stop a push that is still starting: it closes itself as soon as the engine hands it over.
      this.stopRequested = true;
      await this.starting.catch(() => undefined);
      this.stopRequested = false;
    }
    const session = this.session;
    if (!session) return;
    this.session = null;
    this.setLive({ ...this.liveState, status: 'stopping' });
    try {
      await session.close();
    } finally {
      this.subscriptions?.dispose();
      this.subscriptions = null;
      this.setLive(OFFLINE);
    }
  }

  private async doStart(url: string, role: PushRole, streamCode: string | null): Promise<void> {
    const settings = this.options.settings();
    this.lastStats = null;
    this.setLive({ ...OFFLINE, status: 'starting', role, streamCode });
    let session: PushSession;
    try {
      session = await this.options.engine.startPush({
        url,
        role,
        sources: settings.sources,
        encoder: settings.encoder,
        settings: this.encoderOverrides(),
        ffmpegPath: settings.ffmpegPath,
        engine: settings.engine ?? DEFAULT_ENGINE_SETTINGS,
      });
    } catch (error) {
      const payload = toErrorPayload(error);
      this.setLive({ ...OFFLINE, lastError: payload }, payload);
      throw error;
    }
    if (this.options.closing() || this.stopRequested) {
      this.stopRequested = false;
      await session.close();
      this.setLive(OFFLINE);
      return;
    }
    this.session = session;
    this.subscriptions = this.follow(session);
    this.setLive({
      ...this.liveState,
      encoder: session.encoder,
      status: session.status,
      reconnectAttempt: session.reconnectAttempt,
      startedAt: session.status === 'live' ? this.options.now() : null,
    });
  }

  private follow(session: PushSession): DisposableStore {
    const store = new DisposableStore();
    store.add(session.events.on('status', ({ status, attempt }) => this.onStatus(status, attempt)));
    store.add(
      session.events.on('stats', (stats) => {
        this.lastStats = { ...stats, at: this.options.now(), ...this.options.audioCounters() };
        this.events.emit('stats', this.lastStats);
      }),
    );
    store.add(
      session.events.on('error', (error) => {
        this.liveState = { ...this.liveState, lastError: error };
        this.events.emit('error', error);
        this.events.emit('changed', undefined);
      }),
    );
    store.add(
      session.events.on('close', ({ closedByUs, error }) => {
        if (closedByUs || this.session !== session) return;
        this.session = null;
        store.dispose();
        if (error) this.events.emit('error', error);
        this.setLive({ ...OFFLINE, lastError: error }, error);
      }),
    );
    return store;
  }

  private onStatus(status: PushStatus, attempt: number): void {
    const startedAt = status === 'live' ? (this.liveState.startedAt ?? this.options.now()) : this.liveState.startedAt;
    this.setLive({ ...this.liveState, status, reconnectAttempt: attempt, startedAt });
  }

  private setLive(live: LiveState, error: ErrorPayload | null = null): void {
    this.liveState = live;
    this.events.emit('push', { status: live.status, attempt: live.reconnectAttempt, error });
    this.events.emit('changed', undefined);
  }
}
