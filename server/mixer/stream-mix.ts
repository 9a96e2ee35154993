// One running server-side mix: the composite of a big host and its parties, published as one
// continuous internal stream (`{bigCode}__mix`) for as long as the big host is live.
//
// Why one continuous output: parties come and go (a small host links, hangs up, a PK starts),
// but the output ffmpeg never restarts for that, so the audience stream never changes source and
// has no gap. Each party is decoded by its own ffmpeg (party-decoder.ts) into raw frames; a Node
// clock at the output frame rate draws the latest picture of each party into its template
// rectangle (common/layout.ts geometry) and mixes their audio, and writes both to the encoder
// (mix-encoder.ts). A party that joins appears as soon as its decoder has a picture; one that
// leaves disappears on the next tick. The encoder is restarted only when it dies or cannot keep
// up (-progress speed below `minSpeed` for `slowForMs`), with its timestamps continued.
import type { Logger } from 'pino';
import type { LayoutTemplateId } from '../../common/layout';
import type { FfmpegFailure } from '../../node/ffmpeg/ffmpeg-process';
import type { FfmpegProgress } from '../../node/ffmpeg/ffmpeg-progress';
import { mixAudio } from './audio-mixer';
import { mixPixelRects, type PixelRect } from './mix-geometry';
import { MixEncoder, type MixOutputFormat } from './mix-encoder';
import { drawOverlay, type MixOverlay } from './mix-overlay';
import type { MixPartyRole, MixState, MixStatus } from './mix-types';
import { PartyDecoder } from './party-decoder';
import { YuvFrame } from './yuv-canvas';

export interface StreamMixConfig extends MixOutputFormat {
  readonly x264Preset: string;
  readonly minSpeed: number;
  readonly slowForMs: number;
  readonly maxRestartsPerMinute: number;
}

export interface MixParty {
  readonly streamCode: string;
  readonly role: MixPartyRole;
}

export interface StreamMixOptions {
  readonly streamCode: string;
  readonly outputCode: string;
  readonly sessionId: number;
  readonly templateId: LayoutTemplateId;
  /** Internal pull URL of a party's original stream. */
  readonly pullUrl: (streamCode: string) => string;
  /** Internal publish URL of the mix output. */
  readonly pushUrl: string;
  /** The mix gave up (too many restarts): its audiences should go back to the original. */
  readonly onFailed: (status: MixStatus) => void;
  /** The output is live (first progress of the first encoder). */
  readonly onServing?: () => void;
}

/** The big host's first picture is awaited this long before the mix starts with what it has. */
const FIRST_PICTURE_WAIT_MS = 3000;
/** Encoder backlog (in ticks) beyond which ticks are skipped. */
const MAX_BACKLOG_TICKS = 4;
/** Speed readings are ignored this long after an encoder starts. */
const SPEED_WARMUP_MS = 3000;

export class StreamMix {
  private readonly decoders = new Map<string, PartyDecoder>();
  private parties: MixParty[] = [];
  private rects: PixelRect[] = [];
  private overlay: MixOverlay | null = null;
  private encoder: MixEncoder | undefined;
  private encoderStartedAt = 0;
  private readonly canvas: YuvFrame;
  private timer: NodeJS.Timeout | undefined;
  private clockStart = 0;
  private tickIndex = 0;
  private ticksWritten = 0;
  private samplesCarry = 0;
  private slowSince: number | undefined;
  private restartTimes: number[] = [];
  private stateValue: MixState = 'starting';
  private restarts = 0;
  private lastError: string | null = null;
  private speed = 0;
  /** Recent -progress readings (wall ms, media ms) for a windowed speed. */
  private speedWindow: Array<{ at: number; outMs: number }> = [];
  private servedOnce = false;
  private droppedTicks = 0;
  private readonly startedAt = Date.now();
  private readonly log: Logger;
  /** CPU time the Node-side compositor spent in ticks (ms). */
  compositorMs = 0;

  constructor(
    readonly options: StreamMixOptions,
    private readonly config: StreamMixConfig,
    logger: Logger,
  ) {
    this.log = logger.child({ mix: options.streamCode });
    this.canvas = new YuvFrame(config.width, config.height);
    this.canvas.fill();
  }

  get state(): MixState {
    return this.stateValue;
  }

  /** Whether audiences should be served from the mix output. */
  get serving(): boolean {
    return this.stateValue !== 'failed' && this.stateValue !== 'closed';
  }

  /** PIDs of every ffmpeg of this mix (encoder and decoders), for CPU accounting. */
  get pids(): number[] {
    const pids: number[] = [];
    if (this.encoder?.pid !== undefined) pids.push(this.encoder.pid);
    for (const decoder of this.decoders.values()) pids.push(...decoder.pids);
    return pids;
  }

  start(): void {
    if (this.timer || this.stateValue === 'closed') return;
    this.startEncoder();
    this.clockStart = performance.now();
    this.tickIndex = 0;
    this.schedule();
  }

  /** Sets who is in the mix, in template order (first = the big host). */
  setParties(parties: readonly MixParty[]): void {
    if (this.stateValue === 'closed') return;
    const same = parties.length === this.parties.length && parties.every((p, i) => p.streamCode === this.parties[i]!.streamCode && p.role === this.parties[i]!.role);
    if (same) return;
    const wanted = new Set(parties.map((p) => p.streamCode));
    for (const [code, decoder] of this.decoders) {
      if (!wanted.has(code)) {
        this.decoders.delete(code);
        void decoder.close();
      }
    }
    this.parties = [...parties];
    this.rects = mixPixelRects(this.options.templateId, Math.max(1, parties.length), this.config.width, this.config.height);
    this.parties.forEach((party, index) => {
      const rect = this.rects[index];
      if (!rect) return;
      // The big host is always decoded at full frame (the compositor crops/shrinks it), so a
      // party change never restarts its decoder; other parties are decoded at their tile size.
      const size = party.role === 'big' ? { w: this.config.width, h: this.config.height } : rect;
      const existing = this.decoders.get(party.streamCode);
      if (existing) existing.resize(size.w, size.h);
      else {
        const decoder = new PartyDecoder(
          {
            ffmpegPath: this.config.ffmpegPath,
            streamCode: party.streamCode,
            url: this.options.pullUrl(party.streamCode),
            width: size.w,
            height: size.h,
            sampleRate: this.config.sampleRate,
            onError: (message) => this.log.info({ party: party.streamCode, message }, 'mix input restarting'),
          },
          this.log,
        );
        this.decoders.set(party.streamCode, decoder);
        decoder.start();
      }
    });
    this.log.info({ parties: this.parties.map((p) => p.streamCode) }, 'mix parties');
  }

  /** What is drawn over the parties' pictures from the next tick on (null: nothing). */
  setOverlay(overlay: MixOverlay | null): void {
    if (this.stateValue === 'closed') return;
    if ((overlay === null) !== (this.overlay === null)) this.log.info({ overlay: overlay?.kind ?? null }, overlay ? 'mix overlay on' : 'mix overlay off');
    this.overlay = overlay;
  }

  status(): MixStatus {
    return {
      streamCode: this.options.streamCode,
      outputCode: this.options.outputCode,
      templateId: this.options.templateId,
      sessionId: this.options.sessionId,
      state: this.stateValue,
      parties: this.parties.map((party) => {
        const decoder = this.decoders.get(party.streamCode);
        return {
          streamCode: party.streamCode,
          role: party.role,
          live: decoder?.latest !== null && decoder?.latest !== undefined && decoder.running,
          restarts: decoder?.restarts ?? 0,
          lastError: decoder?.lastError ?? null,
        };
      }),
      restarts: this.restarts,
      lastError: this.lastError,
      speed: this.speed,
      droppedTicks: this.droppedTicks,
      startedAt: this.startedAt,
      overlay: this.overlay ? { kind: this.overlay.kind, left: this.overlay.left, right: this.overlay.right, phase: this.overlay.phase } : null,
    };
  }

  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const encoder = this.encoder;
    this.encoder = undefined;
    const decoders = [...this.decoders.values()];
    this.decoders.clear();
    await Promise.all([encoder?.kill(), ...decoders.map((d) => d.close())]);
  }

  // ---- output clock ----------------------------------------------------------------------------

  private schedule(): void {
    if (this.stateValue === 'closed' || this.stateValue === 'failed') return;
    const period = 1000 / this.config.fps;
    const due = this.clockStart + (this.tickIndex + 1) * period;
    const wait = Math.max(0, due - performance.now());
    this.timer = setTimeout(() => this.tick(), wait);
  }

  private tick(): void {
    this.timer = undefined;
    const period = 1000 / this.config.fps;
    this.tickIndex += 1;
    // A loop that fell far behind (a blocked event loop) skips ahead instead of bursting.
    const behind = Math.floor((performance.now() - this.clockStart) / period) - this.tickIndex;
    if (behind > MAX_BACKLOG_TICKS) {
      this.tickIndex += behind;
      this.droppedTicks += behind;
    }
    const began = performance.now();
    try {
      this.produce();
    } catch (error) {
      this.log.error({ err: error }, 'mix tick failed');
    }
    this.compositorMs += performance.now() - began;
    this.schedule();
  }

  private produce(): void {
    const encoder = this.encoder;
    if (!encoder) return;
    const big = this.parties[0] ? this.decoders.get(this.parties[0].streamCode) : undefined;
    if (this.ticksWritten === 0 && !big?.latest && performance.now() - this.clockStart < FIRST_PICTURE_WAIT_MS) {
      // Not started: keep the party audio queues short until there is something to show.
      for (const decoder of this.decoders.values()) decoder.audio.clear();
      return;
    }
    // audio samples due this tick (exact over time even when rate/fps is not whole)
    const exact = this.config.sampleRate / this.config.fps + this.samplesCarry;
    const samples = Math.floor(exact);
    this.samplesCarry = exact - samples;
    const frameBytes = this.canvas.data.length;
    if (encoder.backlogBytes > MAX_BACKLOG_TICKS * (frameBytes + samples * 2)) {
      this.droppedTicks += 1;
      this.noteSlow(`the mix encoder is ${MAX_BACKLOG_TICKS}+ frames behind`);
      return;
    }
    this.canvas.fill();
    this.parties.forEach((party, index) => {
      const rect = this.rects[index];
      const picture = this.decoders.get(party.streamCode)?.latest;
      if (rect && picture) this.canvas.draw(picture, rect);
    });
    if (this.overlay) drawOverlay(this.canvas, this.overlay, Date.now());
    const pcm = mixAudio([...this.decoders.values()].map((d) => d.audio), samples);
    if (encoder.write(Buffer.from(this.canvas.data), pcm)) this.ticksWritten += 1;
  }

  // ---- encoder ---------------------------------------------------------------------------------

  private startEncoder(): void {
    const config = this.config;
    const encoder = new MixEncoder(
      {
        ffmpegPath: config.ffmpegPath,
        width: config.width,
        height: config.height,
        fps: config.fps,
        videoKbps: config.videoKbps,
        audioKbps: config.audioKbps,
        sampleRate: config.sampleRate,
        name: `mix:${this.options.streamCode}`,
        preset: config.x264Preset,
        url: this.options.pushUrl,
        startTimeSec: this.ticksWritten / config.fps,
      },
      this.log,
      {
        onFailure: (failure: FfmpegFailure) => {
          if (this.encoder === encoder) this.restartEncoder(`mix encoder: ${failure.message}`);
        },
        onProgress: (progress: FfmpegProgress) => {
          if (this.encoder !== encoder) return;
          if (this.stateValue === 'starting' || this.stateValue === 'restarting') this.stateValue = 'running';
          if (!this.servedOnce) {
            this.servedOnce = true;
            this.options.onServing?.();
          }
          // ffmpeg's own speed is averaged since it started (and it waited for the first
          // picture): use media time over wall time across the last ~2 s instead.
          const now = performance.now();
          this.speedWindow.push({ at: now, outMs: progress.outTimeMs });
          while (this.speedWindow.length > 2 && now - this.speedWindow[0]!.at > 2000) this.speedWindow.shift();
          const first = this.speedWindow[0]!;
          if (now - first.at < 1000) return;
          this.speed = Math.round(((progress.outTimeMs - first.outMs) / (now - first.at)) * 100) / 100;
          if (now - this.encoderStartedAt < SPEED_WARMUP_MS || this.ticksWritten === 0) return;
          if (this.speed < config.minSpeed) this.noteSlow(`the mix cannot keep up (speed ${this.speed.toFixed(2)}x)`);
          else this.slowSince = undefined;
        },
      },
    );
    this.encoder = encoder;
    this.encoderStartedAt = performance.now();
    this.slowSince = undefined;
    this.speedWindow = [];
  }

  private noteSlow(reason: string): void {
    const now = performance.now();
    if (now - this.encoderStartedAt < SPEED_WARMUP_MS) return;
    this.slowSince ??= now;
    if (now - this.slowSince >= this.config.slowForMs) this.restartEncoder(reason);
  }

  private restartEncoder(reason: string): void {
    if (this.stateValue === 'closed' || this.stateValue === 'failed') return;
    this.lastError = reason;
    this.restarts += 1;
    const now = Date.now();
    this.restartTimes = this.restartTimes.filter((t) => now - t < 60_000);
    this.restartTimes.push(now);
    const old = this.encoder;
    this.encoder = undefined;
    if (old) void old.kill();
    if (this.restartTimes.length > this.config.maxRestartsPerMinute) {
      this.log.warn({ reason, restarts: this.restarts }, 'mix failed too often; audiences go back to the original stream');
      this.stateValue = 'failed';
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      const decoders = [...this.decoders.values()];
      this.decoders.clear();
      for (const decoder of decoders) void decoder.close();
      this.options.onFailed(this.status());
      return;
    }
    this.log.warn({ reason, restarts: this.restarts }, 'restarting the mix encoder');
    this.stateValue = 'restarting';
    this.startEncoder();
  }
}
