// LowLatencyPlayer — plays an origin-direct FLV stream (HTTP-FLV or WS-FLV) with the delay of a
// link-mic conversation: each frame goes to WebCodecs as it arrives (our FLV demuxer, no MSE), a
// jitter buffer sized from measured arrival jitter (the preset's 200 ms is the ceiling), latency
// correction that never lets delay build up (drop to live / gentle speed-up, click-free audio),
// audio through Web Audio on the default output (AEC sees it), video on a canvas in sync with it.
// The audience mode of the same player holds the preset's ~1 s.
import { backoffDelayMs } from '../../common/backoff';
import { LinkMicError, toErrorPayload, type ErrorPayload } from '../../common/errors';
import { FlvDemuxer, type FlvEvent } from '../../common/media/flv-demuxer';
import type { AacConfig } from '../../common/media/aac-config';
import type { AvcConfig } from '../../common/media/avc-config';
import { LatencyController, latencyOptionsFor } from '../../common/media/latency-controller';
import { LIP_SYNC_MAX_LEAD_MS, pictureShowTs } from '../../common/media/lip-sync';
import { AUDIENCE_PLAYER_PRESET, LINK_PLAYER_PRESET } from '../../common/presets';
import { TypedEmitter, type Disposable, type Listener } from '../../common/typed-emitter';
import { AUDIO_LATENCY_HINT, AudioPlayout, KEEP_TIME_ON_UNDERRUN, SHARE_AUDIO_CONTEXT, type AudioPlayoutOptions } from './audio-playout';
import { aacChunk, aacDecoderConfig, takeAudioData } from './aac-decoding';
import { openFlvSource, transportOf, type FlvSource } from './flv-source';
import type { PageToWorker, RelayedEvent, WorkerToPage } from './media-worker-protocol';
import { WallClock, type MediaClock } from './media-clock';
import type { AudioFrameTiming, LowLatencyPlayerOptions, PlayerEvents, PlayerMode, PlayerState, PlayerStats } from './player-types';

/** The player's reconnect: 250 ms doubling up to 2 s, no jitter (common/backoff.ts). */
const PLAYER_RECONNECT_DEFAULTS = { initialMs: 250, maxMs: 2000, factor: 2, jitter: 0 } as const;
const CONTROL_INTERVAL_MS = 50;
/** Let the origin's GOP-cache burst land before choosing where to start. */
const START_SETTLE_MS = 40;
/** Wait this long for the audio output before starting on the wall clock. */
const AUDIO_START_WAIT_MS = 1500;
const MAX_QUEUED_FRAMES = 30;
const MAX_PENDING_PCM = 250;
/** Audio frames kept in the bench timing log (~85 s at 48 kHz). */
const MAX_TIMINGS = 4000;
/** A playout report older than this (they come every ~21 ms) means the page was busy: no correction on it. */
const STALE_REPORT_MS = 80;
/** The link player reads, demuxes and decodes audio in a worker (media-worker.ts) by default. */
export const MEDIA_WORKER = true;

export class LowLatencyPlayer {
  readonly events = new TypedEmitter<PlayerEvents>((error, event) => console.error(`player listener for "${event}" threw`, error));
  readonly mode: PlayerMode;
  readonly transport: 'http-flv' | 'ws-flv';
  private readonly options: LowLatencyPlayerOptions;
  private readonly controller: LatencyController;
  private readonly demuxer = new FlvDemuxer();
  private readonly wall = new WallClock();
  private readonly ctx2d: CanvasRenderingContext2D;
  private stateValue: PlayerState = 'idle';
  private source: FlvSource | null = null;
  private videoDecoder: VideoDecoder | null = null;
  private audioDecoder: AudioDecoder | null = null;
  private videoConfig: AvcConfig | null = null;
  private audioConfig: AacConfig | null = null;
  private playout: AudioPlayout | null = null;
  private playoutCreating: Promise<void> | null = null;
  private pendingPcm: { ts: number; planes: Float32Array[] }[] = [];
  private frames: VideoFrame[] = [];
  private needKeyframe = true;
  private started = false;
  private firstArrivalAt: number | null = null;
  private lastArrivalAt = 0;
  private lastVideoPts: number | null = null;
  private newestTs = Number.NEGATIVE_INFINITY;
  private newestAudioTs = Number.NEGATIVE_INFINITY;
  private lastDataAt = 0;
  private generation = 0;
  private rate = 1;
  private reportedUnsupported = new Set<string>();
  // reconnect
  private attempt = 0;
  private reconnects = 0;
  private downSince: number | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  // loops
  private controlTimer: ReturnType<typeof setInterval> | null = null;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private rafId: number | null = null;
  // stats
  private framesDrawn = 0;
  private framesDropped = 0;
  private bytes = 0;
  private lastStats = { at: 0, bytes: 0, drawn: 0, fps: 0, kbps: 0 };
  private closedPromise: Promise<void> | null = null;
  private readonly timings: AudioFrameTiming[] = [];
  // media worker (link mode): the stream and the audio decoder live there
  private worker: Worker | null = null;
  /** The worker could not start or failed: this player reads on the page from then on. */
  private workerFailed = false;
  private audioEpoch = 0;

  constructor(options: LowLatencyPlayerOptions) {
    this.options = options;
    this.transport = transportOf(options.url);
    this.mode = options.mode ?? 'link';
    const preset = options.preset ?? (this.mode === 'link' ? LINK_PLAYER_PRESET : AUDIENCE_PLAYER_PRESET);
    this.controller = new LatencyController({ ...latencyOptionsFor(preset, this.mode === 'link' ? 'adaptive' : 'fixed'), ...options.latencyTuning });
    const ctx2d = options.canvas.getContext('2d', { alpha: false, desynchronized: true });
    if (!ctx2d) throw new LinkMicError('INVALID_ARGUMENT', 'the canvas has no 2D context', { field: 'canvas' });
    this.ctx2d = ctx2d;
  }

  /** WebCodecs and Web Audio are present (Chromium 94+ in a secure context). */
  static isSupported(): boolean {
    return typeof VideoDecoder === 'function' && typeof AudioDecoder === 'function' && typeof AudioContext === 'function';
  }

  get state(): PlayerState {
    return this.stateValue;
  }

  on<K extends keyof PlayerEvents>(event: K, listener: Listener<PlayerEvents[K]>): Disposable {
    return this.events.on(event, listener);
  }

  /** Connects and plays; reconnects by itself until close(). */
  start(): void {
    if (this.stateValue === 'closed') throw new LinkMicError('INVALID_STATE', 'the player is closed');
    if (this.stateValue !== 'idle') return;
    this.controlTimer = setInterval(() => this.control(), CONTROL_INTERVAL_MS);
    const statsEvery = this.options.statsIntervalMs ?? 1000;
    if (statsEvery > 0) this.statsTimer = setInterval(() => this.events.emit('stats', this.stats()), statsEvery);
    this.lastStats.at = performance.now();
    this.scheduleRender();
    this.connect();
  }

  /** Resumes audio held by the autoplay policy (call from a user gesture). */
  async resume(): Promise<void> {
    await this.playout?.context.resume();
  }

  setVolume(volume: number): void {
    this.playout?.setVolume(Math.max(0, Math.min(1, volume)));
  }

  stats(): PlayerStats {
    const now = performance.now();
    const elapsed = now - this.lastStats.at;
    if (elapsed >= 250) {
      this.lastStats = {
        at: now,
        bytes: this.bytes,
        drawn: this.framesDrawn,
        fps: ((this.framesDrawn - this.lastStats.drawn) * 1000) / elapsed,
        kbps: ((this.bytes - this.lastStats.bytes) * 8) / elapsed,
      };
    }
    const clock = this.clock();
    const heard = this.started ? clock.displayTs(now) : null;
    const shown = heard === null ? null : this.videoShowTs(heard, now);
    const read = this.started ? clock.readTs(now) : null;
    const snap = this.playout?.snapshot() ?? null;
    return {
      state: this.stateValue,
      mode: this.mode,
      transport: this.transport,
      latencyMs: heard === null || !this.controller.hasEdge ? null : Math.round(this.controller.delayOf(heard, now)),
      videoLatencyMs: shown === null || !this.controller.hasEdge ? null : Math.round(this.controller.delayOf(shown, now)),
      videoTargetMs: Math.round(this.controller.videoTargetMs(now)),
      bufferMs: read === null ? 0 : Math.max(0, Math.round(this.newestTs - read)),
      targetMs: Math.round(this.controller.targetMs(now)),
      jitterMs: Math.round(this.controller.jitterMs),
      playbackRate: this.rate,
      fps: Math.round(this.lastStats.fps * 10) / 10,
      bitrateKbps: Math.round(this.lastStats.kbps),
      stalls: this.controller.stalls,
      audioUnderruns: snap?.underruns ?? 0,
      corrections: { ...this.controller.correctionCounts },
      framesDropped: this.framesDropped,
      framesDrawn: this.framesDrawn,
      audioDroppedMs: Math.round(snap?.droppedMs ?? 0),
      audioSkippedLateMs: Math.round(snap?.skippedLateMs ?? 0),
      audioClicks: snap?.clicks ?? 0,
      reconnects: this.reconnects,
      video: this.videoConfig ? { codec: this.videoConfig.codec, width: this.videoConfig.codedWidth, height: this.videoConfig.codedHeight } : null,
      audio: this.audioConfig ? { codec: this.audioConfig.codec, sampleRate: this.audioConfig.sampleRate, channels: this.audioConfig.channels } : null,
      clock: clock === this.wall ? 'wall' : 'audio',
      audioOutputLatencyMs: clock === this.playout && this.playout ? Math.round(this.playout.outputLatencyMs()) : null,
      mediaPath: this.worker ? 'worker' : 'page',
    };
  }

  /** The audio frames' timing log (`timingLog` option; empty otherwise), oldest first. */
  audioTimings(): readonly AudioFrameTiming[] {
    return this.timings;
  }

  /** Stops everything; idempotent; emits `close` once. */
  close(): Promise<void> {
    return this.shutdown(true);
  }

  // ---- connection -------------------------------------------------------------------------

  private connect(): void {
    this.reconnectTimer = null;
    this.setState(this.downSince === null ? 'connecting' : 'reconnecting');
    this.demuxer.reset();
    this.lastDataAt = performance.now();
    const generation = this.generation;
    if (this.usesWorker()) {
      const source = this.openInWorker(generation);
      if (source) {
        this.source = source;
        return;
      }
    }
    this.source = openFlvSource(this.options.url, {
      onData: (chunk) => {
        if (generation === this.generation) this.onData(chunk);
      },
      onEnd: (error) => {
        if (generation === this.generation) this.dropConnection(error ?? new LinkMicError('DISCONNECTED', 'the stream ended'));
      },
    });
  }

  /** Link mode with Worker available and not turned off. */
  private usesWorker(): boolean {
    return this.mode === 'link' && (this.options.mediaWorker ?? MEDIA_WORKER) && !this.workerFailed && typeof Worker === 'function';
  }

  /**
   * Connects through the media worker (created on first use); its messages come to onWorkerMessage.
   * Null when the worker cannot be created (the caller reads on the page instead).
   */
  private openInWorker(generation: number): FlvSource | null {
    if (!this.worker) {
      try {
        this.worker = this.createWorker();
      } catch (error) {
        this.giveUpWorker(error instanceof Error ? error.message : String(error));
        return null;
      }
      this.worker.onmessage = (event: MessageEvent<WorkerToPage>) => this.onWorkerMessage(event.data);
      this.worker.onerror = (event) => {
        // The script did not load (a host's CSP, a missing file) or the worker failed: keep playing, on the page.
        event.preventDefault();
        this.giveUpWorker(event.message || 'the worker failed');
        this.dropConnection(new LinkMicError('INTERNAL', `media worker: ${event.message || 'failed'}`));
      };
    }
    this.toWorker({ type: 'open', generation, url: this.options.url, timingLog: this.options.timingLog === true });
    return { transport: this.transport, close: () => this.toWorker({ type: 'close-source' }) };
  }

  private createWorker(): Worker {
    if (this.options.mediaWorkerUrl !== undefined) return new Worker(this.options.mediaWorkerUrl, { type: 'module', name: 'linkmic-player-media' });
    return new Worker(new URL('./media-worker.ts', import.meta.url), { type: 'module', name: 'linkmic-player-media' });
  }

  private giveUpWorker(reason: string): void {
    this.workerFailed = true;
    this.worker?.terminate();
    this.worker = null;
    this.events.emit('error', { name: 'LinkMicError', code: 'INTERNAL', message: `media worker unavailable, reading on the page: ${reason}` });
  }

  private toWorker(message: PageToWorker, transfer: Transferable[] = []): void {
    this.worker?.postMessage(message, transfer);
  }

  private onWorkerMessage(message: WorkerToPage): void {
    if (message.generation !== this.generation || this.stateValue === 'closed') return;
    switch (message.type) {
      case 'chunk': {
        const now = message.at - performance.timeOrigin;
        this.lastDataAt = Math.max(this.lastDataAt, now);
        this.bytes += message.bytes;
        for (const event of message.events) this.handle(event, now);
        break;
      }
      case 'decoded':
        if (this.options.timingLog) this.noteTiming(message.ts, (t) => (t.decodedAt ??= message.at - performance.timeOrigin));
        break;
      case 'end':
        this.dropConnection(message.error ? LinkMicError.fromPayload(message.error) : new LinkMicError('DISCONNECTED', 'the stream ended'));
        break;
      case 'audio-error':
        this.events.emit('error', { name: 'LinkMicError', code: 'INTERNAL', message: `audio decoder: ${message.message}` });
        break;
    }
  }

  private dropConnection(error: unknown): void {
    if (this.stateValue === 'closed') return;
    this.generation += 1;
    this.source?.close();
    this.source = null;
    this.resetTimeline();
    this.videoConfig = null;
    this.audioConfig = null;
    this.resetDecoders();
    this.attempt += 1;
    this.reconnects += 1;
    this.downSince ??= performance.now();
    const reason = toErrorPayload(error);
    const max = this.options.maxReconnectAttempts;
    if (max !== undefined && this.attempt > max) {
      void this.shutdown(false, reason);
      return;
    }
    const delayMs = backoffDelayMs(this.options.reconnectBackoff ?? {}, PLAYER_RECONNECT_DEFAULTS, this.attempt);
    this.setState('reconnecting');
    this.events.emit('reconnect', { attempt: this.attempt, delayMs, reason });
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
  }

  private onData(chunk: Uint8Array): void {
    const now = performance.now();
    this.lastDataAt = now;
    this.bytes += chunk.byteLength;
    let events: FlvEvent[];
    try {
      events = this.demuxer.push(chunk);
    } catch (error) {
      this.dropConnection(error);
      return;
    }
    for (const event of events) this.handle(event, now);
  }

  private handle(event: FlvEvent | RelayedEvent, now: number): void {
    switch (event.kind) {
      case 'video-config':
        if (this.videoConfig && (this.lastVideoPts !== null || !sameBytes(this.videoConfig.description, event.config.description))) {
          this.resetTimeline(); // a new publisher (or new encoder settings) on the same connection
        }
        this.videoConfig = event.config;
        this.configureVideo(event.config);
        break;
      case 'audio-config':
        this.audioConfig = event.config;
        this.configureAudio(event.config);
        break;
      case 'video':
        if (this.lastVideoPts !== null && (event.pts < this.lastVideoPts - 1000 || event.pts > this.lastVideoPts + 5000)) {
          this.resetTimeline(); // timestamp discontinuity
        }
        this.lastVideoPts = event.pts;
        this.noteArrival(event.pts, now, 'video');
        this.decodeVideo(event.pts, event.keyframe, event.data);
        break;
      case 'audio':
        this.noteArrival(event.dts, now, 'audio');
        if (this.options.timingLog) {
          this.timings.push({ ts: event.dts, arrivedAt: now });
          if (this.timings.length > MAX_TIMINGS) this.timings.splice(0, this.timings.length - MAX_TIMINGS);
        }
        this.newestAudioTs = Math.max(this.newestAudioTs, event.dts + 1024 / (this.audioConfig?.sampleRate ?? 48_000) * 1000);
        if ('data' in event) this.decodeAudio(event.dts, event.data);
        break;
      case 'unsupported':
        if (!this.reportedUnsupported.has(event.what)) {
          this.reportedUnsupported.add(event.what);
          this.events.emit('error', { name: 'LinkMicError', code: 'INVALID_ARGUMENT', message: `unsupported media: ${event.what}` });
        }
        break;
      default:
        break;
    }
  }

  private noteArrival(ts: number, now: number, track: 'audio' | 'video'): void {
    const gap = now - this.lastArrivalAt;
    if (this.controller.onArrival(ts, now, track)) this.events.emit('stall', { gapMs: Math.round(gap) });
    this.lastArrivalAt = now;
    this.firstArrivalAt ??= now;
    this.newestTs = Math.max(this.newestTs, ts);
    this.wall.setNewest(ts, now);
    if (this.downSince !== null) {
      const attempts = this.attempt;
      const downtimeMs = Math.round(now - this.downSince);
      this.downSince = null;
      this.attempt = 0;
      this.setState('buffering');
      this.events.emit('reconnect_success', { attempts, downtimeMs });
    } else if (this.stateValue === 'connecting') {
      this.setState('buffering');
    }
  }

  // ---- decoding ---------------------------------------------------------------------------

  private configureVideo(config: AvcConfig): void {
    if (!this.videoDecoder || this.videoDecoder.state === 'closed') {
      this.videoDecoder = new VideoDecoder({
        output: (frame) => this.onVideoFrame(frame),
        error: (error) => this.onDecoderError('video', error),
      });
    }
    this.videoDecoder.configure({
      codec: config.codec,
      description: config.description,
      optimizeForLatency: true,
      hardwareAcceleration: 'no-preference',
    });
    this.needKeyframe = true;
  }

  private decodeVideo(pts: number, keyframe: boolean, data: Uint8Array): void {
    const decoder = this.videoDecoder;
    if (!decoder || decoder.state !== 'configured') return;
    if (this.needKeyframe && !keyframe) return;
    this.needKeyframe = false;
    try {
      decoder.decode(new EncodedVideoChunk({ type: keyframe ? 'key' : 'delta', timestamp: Math.round(pts * 1000), data }));
    } catch (error) {
      this.onDecoderError('video', error);
    }
  }

  private onVideoFrame(frame: VideoFrame): void {
    if (this.stateValue === 'closed') {
      frame.close();
      return;
    }
    let at = this.frames.length;
    while (at > 0 && this.frames[at - 1]!.timestamp > frame.timestamp) at -= 1;
    this.frames.splice(at, 0, frame);
    while (this.frames.length > MAX_QUEUED_FRAMES) {
      this.frames.shift()!.close();
      this.framesDropped += 1;
    }
  }

  private configureAudio(config: AacConfig): void {
    // With the media worker the worker decodes: the page only makes the output.
    if (!this.worker && (!this.audioDecoder || this.audioDecoder.state === 'closed')) {
      this.audioDecoder = new AudioDecoder({
        output: (data) => this.onAudioData(data),
        error: (error) => this.onDecoderError('audio', error),
      });
    }
    this.audioDecoder?.configure(aacDecoderConfig(config));
    if (this.playout && this.playout.context.sampleRate !== config.sampleRate) {
      const old = this.playout;
      this.playout = null;
      void old.close();
    }
    if (!this.playout && !this.playoutCreating) {
      this.playoutCreating = AudioPlayout.create(config.sampleRate, config.channels, this.audioPlayoutOptions())
        .then(async (playout) => {
          if (this.stateValue === 'closed') {
            await playout.close();
            return;
          }
          this.playout = playout;
          playout.setVolume(this.options.volume ?? 1);
          if (this.worker) {
            // Audio from the worker of the current epoch only, straight into the worklet.
            playout.clear(this.audioEpoch);
            const channel = new MessageChannel();
            playout.attachFeed(channel.port1);
            this.toWorker({ type: 'feed', port: channel.port2 }, [channel.port2]);
          }
          for (const pcm of this.pendingPcm) playout.push(pcm.ts, pcm.planes);
          this.pendingPcm = [];
        })
        .catch((error: unknown) => {
          this.events.emit('error', { name: 'LinkMicError', code: 'INTERNAL', message: `audio output unavailable: ${String(error)}` });
        })
        .finally(() => {
          this.playoutCreating = null;
        });
    }
  }

  /**
   * The audio output's settings: the link mode's low-delay ones (docs/player.md, "three link
   * players"); the audience mode, which holds a second anyway, keeps Web Audio's 'interactive'
   * latency and waits through underruns as before.
   */
  private audioPlayoutOptions(): AudioPlayoutOptions {
    const link = this.mode === 'link';
    return {
      latencyHint: this.options.audioLatencyHint ?? (link ? AUDIO_LATENCY_HINT : 'interactive'),
      shared: this.options.sharedAudioContext ?? SHARE_AUDIO_CONTEXT,
      keepTime: this.options.audioKeepTime ?? (link ? KEEP_TIME_ON_UNDERRUN : false),
    };
  }

  private decodeAudio(dts: number, data: Uint8Array): void {
    const decoder = this.audioDecoder;
    if (!decoder || decoder.state !== 'configured') return;
    try {
      decoder.decode(aacChunk(dts, data));
    } catch (error) {
      this.onDecoderError('audio', error);
    }
  }

  private onAudioData(data: AudioData): void {
    const { ts, planes } = takeAudioData(data);
    if (this.stateValue === 'closed') return;
    if (this.options.timingLog) this.noteTiming(ts, (t) => (t.decodedAt ??= performance.now()));
    if (this.playout) this.playout.push(ts, planes);
    else {
      this.pendingPcm.push({ ts, planes });
      if (this.pendingPcm.length > MAX_PENDING_PCM) this.pendingPcm.shift();
    }
  }

  private onDecoderError(kind: 'video' | 'audio', error: unknown): void {
    this.events.emit('error', { name: 'LinkMicError', code: 'INTERNAL', message: `${kind} decoder: ${String(error)}` });
    // A failed decoder is closed: start over from the next sequence header / keyframe.
    if (kind === 'video' && this.videoConfig && this.videoDecoder?.state === 'closed') {
      this.videoDecoder = null;
      this.configureVideo(this.videoConfig);
    }
    if (kind === 'audio' && this.audioConfig && this.audioDecoder?.state === 'closed') {
      this.audioDecoder = null;
      this.configureAudio(this.audioConfig);
    }
  }

  private resetDecoders(): void {
    for (const decoder of [this.videoDecoder, this.audioDecoder]) {
      if (decoder && decoder.state !== 'closed') decoder.reset();
    }
    this.needKeyframe = true;
  }

  // ---- timeline, clock and correction --------------------------------------------------------

  /** Forgets where playback is (new connection, new publisher, timestamp jump). */
  private resetTimeline(): void {
    this.controller.reset();
    this.wall.clear();
    // A new epoch: audio of the old timeline still on its way from the media worker is dropped.
    this.audioEpoch += 1;
    this.playout?.clear(this.audioEpoch);
    this.toWorker({ type: 'audio-epoch', epoch: this.audioEpoch });
    this.pendingPcm = [];
    for (const frame of this.frames) frame.close();
    this.frames = [];
    this.started = false;
    this.firstArrivalAt = null;
    this.lastVideoPts = null;
    this.newestTs = Number.NEGATIVE_INFINITY;
    this.newestAudioTs = Number.NEGATIVE_INFINITY;
    this.rate = 1;
    if (this.videoDecoder?.state === 'configured' && this.videoConfig) {
      this.videoDecoder.reset();
      this.configureVideo(this.videoConfig);
    }
  }

  /** The audio output when it runs, else the wall clock. */
  private clock(): MediaClock {
    const playout = this.playout;
    if (playout && this.audioConfig && playout.running) {
      if (this.started && !playout.started) {
        // Audio became available after start (autoplay released): join at the wall clock's position.
        const at = this.wall.readTs(performance.now());
        if (at !== null) playout.start(at);
      }
      if (playout.started) return playout;
    }
    return this.wall;
  }

  private control(): void {
    const now = performance.now();
    if (this.source && now - this.lastDataAt > (this.options.dataTimeoutMs ?? (this.mode === 'link' ? 2500 : 4000))) {
      this.dropConnection(new LinkMicError('DISCONNECTED', `no data for ${Math.round(now - this.lastDataAt)} ms`));
      return;
    }
    if (!this.started) {
      this.maybeStart(now);
      return;
    }
    const clock = this.clock();
    // Right after a busy spell of the page, this tick can run before the worklet's queued reports:
    // where the read head is is not known (the audio kept playing meanwhile), so decide next tick
    // instead of "correcting" a lag that is only the report's age.
    if (clock === this.playout && this.playout.reportAgeMs() > STALE_REPORT_MS) return;
    const readTs = clock.readTs(now);
    if (readTs === null) return;
    if (this.options.timingLog && clock === this.playout) this.noteRendered(this.playout, readTs);
    // Corrections only remove what the master clock has buffered (audio, or any media on the wall clock).
    const newest = clock === this.wall ? this.newestTs : this.newestAudioTs;
    const decision = this.controller.decide(now, readTs, Number.isFinite(newest) ? newest : undefined);
    if (decision.rate !== this.rate) {
      this.rate = decision.rate;
      clock.setRate(decision.rate, now);
    }
    if (decision.seekToTs !== undefined) {
      clock.seek(decision.seekToTs, now);
      if (decision.correction === 'keyframe-skip') this.skipVideoToKeyframe(decision.seekToTs);
    }
    if (decision.correction) {
      this.events.emit('correction', { kind: decision.correction, lagMs: Math.round(decision.lagMs), rate: decision.rate });
    }
    this.playout?.setResumeThreshold(Math.min(this.controller.targetMs(now), 200));
    if (this.stateValue === 'buffering') this.setState('playing');
  }

  private maybeStart(now: number): void {
    if (!this.controller.hasEdge || this.firstArrivalAt === null || now - this.firstArrivalAt < START_SETTLE_MS) return;
    const audioWaiting = this.worker ? Number.isFinite(this.newestAudioTs) : this.pendingPcm.length > 0;
    if (this.frames.length === 0 && !audioWaiting && (this.playout?.queuedMs() ?? 0) === 0) return;
    const waitingForAudio = this.audioConfig !== null && (this.playout === null || !this.playout.running);
    if (waitingForAudio && now - this.firstArrivalAt < AUDIO_START_WAIT_MS) return;
    const startTs = Math.min(this.newestTs, this.controller.startTs(now));
    this.wall.start(startTs, now);
    if (this.playout && this.audioConfig && this.playout.running) this.playout.start(startTs);
    this.started = true;
    this.setState('playing');
  }

  /** Bench timing log: the entry of the frame at `ts` (searched from the newest). */
  private noteTiming(ts: number, update: (t: AudioFrameTiming) => void): void {
    for (let i = this.timings.length - 1; i >= 0 && i >= this.timings.length - 200; i -= 1) {
      if (Math.abs(this.timings[i]!.ts - ts) < 0.5) {
        update(this.timings[i]!);
        return;
      }
    }
  }

  /** Bench timing log: render and output times of the frames the read head passed since the last control tick. */
  private noteRendered(playout: AudioPlayout, readTs: number): void {
    for (let i = this.timings.length - 1; i >= 0; i -= 1) {
      const t = this.timings[i]!;
      if (t.ts > readTs) continue;
      if (t.renderAt !== undefined || t.ts < readTs - 300) break;
      const times = playout.timesOf(t.ts);
      if (!times) break;
      t.renderAt = times.renderAt;
      t.outputAt = times.outputAt;
    }
  }

  /** Far behind: stop decoding what will never be shown and wait for the next keyframe. */
  private skipVideoToKeyframe(seekTs: number): void {
    const decoder = this.videoDecoder;
    const newestDecoded = (this.frames[this.frames.length - 1]?.timestamp ?? Number.NEGATIVE_INFINITY) / 1000;
    if (!decoder || !this.videoConfig || (decoder.decodeQueueSize <= 2 && newestDecoded >= seekTs - 200)) return;
    decoder.reset(); // discards queued decodes and outputs not yet delivered
    this.configureVideo(this.videoConfig);
    this.framesDropped += this.frames.length;
    for (const frame of this.frames) frame.close();
    this.frames = [];
  }

  // ---- rendering ----------------------------------------------------------------------------

  private scheduleRender(): void {
    this.rafId = requestAnimationFrame(() => {
      this.render();
      if (this.stateValue !== 'closed') this.scheduleRender();
    });
  }

  private render(): void {
    if (!this.started || this.frames.length === 0) return;
    const now = performance.now();
    const clock = this.clock();
    const heardTs = clock.displayTs(now);
    if (heardTs === null) return;
    const showTs = this.videoShowTs(heardTs, now);
    let pick = -1;
    for (let i = 0; i < this.frames.length; i += 1) {
      if (this.frames[i]!.timestamp / 1000 <= showTs + 2) pick = i;
      else break;
    }
    if (pick < 0) return;
    for (let i = 0; i < pick; i += 1) {
      this.frames[i]!.close();
      this.framesDropped += 1;
    }
    const frame = this.frames[pick]!;
    this.frames = this.frames.slice(pick + 1);
    const canvas = this.options.canvas;
    if (canvas.width !== frame.displayWidth || canvas.height !== frame.displayHeight) {
      canvas.width = frame.displayWidth;
      canvas.height = frame.displayHeight;
    }
    this.ctx2d.drawImage(frame, 0, 0);
    const pts = frame.timestamp / 1000;
    frame.close();
    this.framesDrawn += 1;
    const latencyMs = this.controller.hasEdge ? Math.round(this.controller.delayOf(showTs, now)) : null;
    this.events.emit('render', { pts, latencyMs });
  }

  /**
   * The media time of the picture to show: with the audio being heard (audience), or (link) the
   * picture waits for its sound (common/media/lip-sync): on the video's own jitter target behind
   * the live edge, never behind the audio and at most `lipSyncLeadMs` (20 ms) ahead of it.
   */
  private videoShowTs(heardTs: number, now: number): number {
    if (this.mode !== 'link' || !this.controller.hasEdge) return heardTs;
    const own = this.controller.liveEdge(now) - this.controller.videoTargetMs(now);
    return pictureShowTs(heardTs, own, this.options.lipSyncLeadMs ?? LIP_SYNC_MAX_LEAD_MS);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  private setState(state: PlayerState): void {
    if (this.stateValue === state || this.stateValue === 'closed') return;
    this.stateValue = state;
    this.events.emit('state', { state });
  }

  private shutdown(byUser: boolean, reason?: ErrorPayload): Promise<void> {
    if (this.closedPromise) return this.closedPromise;
    this.generation += 1;
    this.setState('closed');
    this.source?.close();
    this.source = null;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    if (this.controlTimer !== null) clearInterval(this.controlTimer);
    if (this.statsTimer !== null) clearInterval(this.statsTimer);
    if (this.rafId !== null) cancelAnimationFrame(this.rafId);
    for (const frame of this.frames) frame.close();
    this.frames = [];
    for (const decoder of [this.videoDecoder, this.audioDecoder]) {
      if (decoder && decoder.state !== 'closed') decoder.close();
    }
    this.worker?.terminate();
    this.worker = null;
    const playout = this.playout;
    this.playout = null;
    this.closedPromise = (async () => {
      await this.playoutCreating?.catch(() => undefined);
      await playout?.close();
      this.events.emit('close', reason === undefined ? { byUser } : { byUser, reason });
    })();
    return this.closedPromise;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
