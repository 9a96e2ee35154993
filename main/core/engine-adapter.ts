// Adapts the push engine (main/engine PushEngine) to the core's StudioEngine: one PushEngine per
// ffmpeg path (created on first use), sources mapped from the contract, one push at a time.
import { isHardwareEncoderName } from '../../common/encoder-kinds';
import { toErrorPayload } from '../../common/errors';
import type { FfmpegState } from '../../common/studio-api';
import { TypedEmitter } from '../../common/typed-emitter';
import type { Logger } from '../../node/logger';
import { PushEngine, type EncoderPreference, type PushEngineOptions } from '../engine/push-engine';
import { fromStudioSources, toSourceList } from '../engine/studio-sources';
import type { PushSession, PushSessionEvents, StartPushOptions, StudioEngine } from './ports';

export interface EngineAdapterOptions {
  /** The app's resources folder (bundled ffmpeg under resources/ffmpeg/…). */
  readonly resourcesDir?: string;
  readonly logger?: Logger;
  /** Extra PushEngine options (backoff, timeouts) for tests. */
  readonly engine?: Omit<PushEngineOptions, 'ffmpegPath' | 'resourcesDir' | 'logger'>;
}

export class EngineAdapter implements StudioEngine {
  private engine: { path: string | null; engine: Promise<PushEngine> } | null = null;
  private closed = false;

  constructor(private readonly options: EngineAdapterOptions = {}) {}

  /** The PushEngine for this ffmpeg path (a new path replaces the old engine). */
  private async engineFor(ffmpegPath: string | null): Promise<PushEngine> {
    if (this.engine && this.engine.path === ffmpegPath) return this.engine.engine;
    const previous = this.engine;
    const created = PushEngine.create({
      ...this.options.engine,
      ffmpegPath,
      ...(this.options.resourcesDir === undefined ? {} : { resourcesDir: this.options.resourcesDir }),
      ...(this.options.logger === undefined ? {} : { logger: this.options.logger }),
    });
    this.engine = { path: ffmpegPath, engine: created };
    created.catch(() => {
      if (this.engine?.engine === created) this.engine = null;
    });
    if (previous) void previous.engine.then((engine) => engine.close()).catch(() => undefined);
    return created;
  }

  async describeFfmpeg(ffmpegPath: string | null): Promise<FfmpegState> {
    try {
      const engine = await this.engineFor(ffmpegPath);
      return { path: engine.ffmpeg.path, version: engine.ffmpeg.version, error: null };
    } catch (error) {
      return { path: null, version: null, error: toErrorPayload(error) };
    }
  }

  async listSources(ffmpegPath: string | null) {
    const engine = await this.engineFor(ffmpegPath);
    return toSourceList(await engine.listDevices());
  }

  async probeEncoders(ffmpegPath: string | null, preference: string) {
    const engine = await this.engineFor(ffmpegPath);
    const selection = await engine.selectEncoder(preference as EncoderPreference);
    return {
      encoders: selection.trials.map((trial) => ({
        name: trial.encoder,
        hardware: isHardwareEncoderName(trial.encoder),
        usable: trial.ok,
        ...(trial.reason === undefined ? {} : { detail: trial.reason }),
      })),
      selected: selection.encoder,
    };
  }

  async startPush(options: StartPushOptions): Promise<PushSession> {
    const engine = await this.engineFor(options.ffmpegPath);
    const events = new TypedEmitter<PushSessionEvents>();
    let encoder: string | null = null;
    let attempt = 0;
    let status: PushSession['status'] = 'starting';
    let ended = false;
    let closedByUs = false;
    const subscriptions = [
      engine.on('state', ({ state }) => {
        if (ended) return;
        if (state === 'connecting') status = 'starting';
        else if (state === 'live') status = 'live';
        else if (state === 'reconnecting') status = 'reconnecting';
        else return;
        events.emit('status', { status, attempt: status === 'live' ? 0 : attempt });
      }),
      engine.on('live', (event) => {
        encoder = event.encoder;
      }),
      engine.on('reconnecting', (event) => {
        attempt = event.attempt;
        if (!ended) events.emit('error', { name: 'LinkMicError', code: 'DISCONNECTED', message: event.reason });
      }),
      engine.on('reconnected', () => {
        attempt = 0;
      }),
      engine.on('stats', (stats) => {
        if (ended) return;
        encoder = stats.encoder;
        events.emit('stats', {
          fps: stats.fps,
          bitrateKbps: stats.bitrateKbps,
          frames: stats.frames,
          droppedFrames: stats.droppedFrames,
          outTimeMs: stats.uptimeMs,
          speed: stats.speed,
          audioFramesIn: 0,
          audioFramesDropped: 0,
        });
      }),
      engine.on('stopped', ({ reason, error }) => {
        if (ended) return;
        ended = true;
        for (const subscription of subscriptions) subscription.dispose();
        events.emit('close', { closedByUs: closedByUs || reason === 'closed', error: error ?? null });
      }),
    ];
    try {
      await engine.start({
        url: options.url,
        role: options.role,
        sources: fromStudioSources(options.sources),
        settings: options.settings,
        encoder: options.encoder.preference as EncoderPreference,
      });
    } catch (error) {
      ended = true;
      for (const subscription of subscriptions) subscription.dispose();
      throw error;
    }
    return {
      events,
      get encoder() {
        return encoder;
      },
      get status() {
        return status;
      },
      get reconnectAttempt() {
        return status === 'live' ? 0 : attempt;
      },
      pushPcm: (frame) => engine.pushPcm(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)),
      close: async () => {
        closedByUs = true;
        if (!ended) await engine.stop();
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const current = this.engine;
    this.engine = null;
    if (current) await current.engine.then((engine) => engine.close()).catch(() => undefined);
  }
}
