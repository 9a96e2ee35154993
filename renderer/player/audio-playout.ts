// Co-host audio through Web Audio on the default output device (where Chromium's echo canceller
// sees it: see the AEC notes), as an AudioWorklet fed with decoded PCM. It is also the master
// clock of the player.
import type { PlayoutSnapshot } from '../../common/media/playout-buffer';
import type { MediaClock } from './media-clock';
import { PLAYOUT_PROCESSOR_NAME, playoutWorkletSource, type PlayoutCommand, type PlayoutReport } from './playout-worklet';

/**
 * The AudioContext's latencyHint. 'interactive' is Chromium's default for real-time audio; a number
 * asks for that output latency in seconds (0: the smallest the device allows).
 */
export const AUDIO_LATENCY_HINT: AudioContextLatencyCategory | number = 0;
/** Underruns keep time (late audio is skipped, the delay does not grow) instead of waiting (common/media/playout-buffer). */
export const KEEP_TIME_ON_UNDERRUN = true;
/**
 * Players in one page share one AudioContext per sample rate (one output stream, one audio thread).
 * Off: with 'interactive' and three players it made the heard delay worse in both rounds of the
 * 2026-12-03 A/B (docs/player.md); kept as a knob for benches.
 */
export const SHARE_AUDIO_CONTEXT = false;

export interface AudioPlayoutOptions {
  readonly latencyHint?: AudioContextLatencyCategory | number;
  readonly shared?: boolean;
  readonly keepTime?: boolean;
}

interface SharedContext {
  readonly context: AudioContext;
  readonly hint: AudioContextLatencyCategory | number;
  readonly loaded: Promise<void>;
  users: number;
}

/** The page's shared contexts, by sample rate and latency hint. */
const sharedContexts = new Map<string, SharedContext>();

async function loadWorklet(context: AudioContext): Promise<void> {
  const url = URL.createObjectURL(new Blob([playoutWorkletSource()], { type: 'text/javascript' }));
  try {
    await context.audioWorklet.addModule(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

export class AudioPlayout implements MediaClock {
  private report: PlayoutReport | null = null;
  private reportAt = 0;
  private rate = 1;
  private closed = false;
  started = false;

  private constructor(
    readonly context: AudioContext,
    private readonly node: AudioWorkletNode,
    private readonly gain: GainNode,
    private readonly shared: SharedContext | null,
  ) {
    node.port.onmessage = (event: MessageEvent<PlayoutReport>) => {
      this.report = event.data;
      this.reportAt = performance.now();
    };
  }

  /** Creates (or joins) the context at the stream's sample rate (no resampling) and loads the worklet. */
  static async create(sampleRate: number, channels: number, options: AudioPlayoutOptions = {}): Promise<AudioPlayout> {
    const latencyHint = options.latencyHint ?? AUDIO_LATENCY_HINT;
    let shared: SharedContext | null = null;
    let context: AudioContext;
    if (options.shared ?? SHARE_AUDIO_CONTEXT) {
      const key = `${sampleRate}/${String(latencyHint)}`;
      shared = sharedContexts.get(key) ?? null;
      if (!shared) {
        const created = new AudioContext({ sampleRate, latencyHint });
        shared = { context: created, hint: latencyHint, loaded: loadWorklet(created), users: 0 };
        sharedContexts.set(key, shared);
        const entry = shared;
        entry.loaded.catch(() => {
          if (sharedContexts.get(key) === entry) sharedContexts.delete(key);
        });
      }
      shared.users += 1;
      context = shared.context;
      try {
        await shared.loaded;
      } catch (error) {
        shared.users -= 1;
        if (shared.users === 0) await context.close().catch(() => undefined);
        throw error;
      }
    } else {
      context = new AudioContext({ sampleRate, latencyHint });
      try {
        await loadWorklet(context);
      } catch (error) {
        await context.close();
        throw error;
      }
    }
    const node = new AudioWorkletNode(context, PLAYOUT_PROCESSOR_NAME, {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [Math.max(2, Math.min(channels, 2))],
      processorOptions: { channels, keepTime: options.keepTime ?? KEEP_TIME_ON_UNDERRUN },
    });
    const gain = context.createGain();
    node.connect(gain).connect(context.destination);
    if (context.state !== 'running') void context.resume().catch(() => undefined);
    return new AudioPlayout(context, node, gain, shared);
  }

  /** True while the context runs (autoplay policy may hold it until a user gesture). */
  get running(): boolean {
    return this.context.state === 'running';
  }

  push(ts: number, planes: Float32Array[]): void {
    this.post({ type: 'push', ts, planes }, planes.map((p) => p.buffer as ArrayBuffer));
  }

  setVolume(volume: number): void {
    this.gain.gain.setTargetAtTime(volume, this.context.currentTime, 0.01);
  }

  setResumeThreshold(ms: number): void {
    this.post({ type: 'resume-threshold', ms });
  }

  /** How old the worklet's latest report is (ms; they come every ~21 ms, later when the page was busy). */
  reportAgeMs(): number {
    return this.report ? performance.now() - this.reportAt : Number.POSITIVE_INFINITY;
  }

  snapshot(): PlayoutSnapshot | null {
    return this.report?.snapshot ?? null;
  }

  readTs(): number | null {
    const r = this.report;
    if (!this.started || !r || r.snapshot.readTs === null || r.snapshot.state === 'waiting') return null;
    if (r.snapshot.state !== 'playing') return r.snapshot.readTs;
    // Extrapolate between reports (they come every ~21 ms).
    const elapsed = Math.max(0, Math.min(100, performance.now() - this.reportAt));
    return r.snapshot.readTs + elapsed * r.snapshot.rate;
  }

  displayTs(): number | null {
    const r = this.report;
    const read = this.readTs();
    if (read === null || !r || r.snapshot.state !== 'playing') return read;
    // What is heard now was rendered (reportTime - heardTime) earlier than the reported read head.
    const heard = this.context.getOutputTimestamp().contextTime ?? this.context.currentTime;
    const elapsed = Math.max(0, Math.min(100, performance.now() - this.reportAt)) / 1000;
    return read - Math.max(0, r.contextTime + elapsed - heard) * 1000 * r.snapshot.rate;
  }

  /**
   * When media time `ts` is (or was) rendered by the worklet and when Web Audio says it leaves the
   * output (performance clock, ms), from the latest report; null before playback. Measurement only
   * (the player's bench timing log).
   */
  timesOf(ts: number): { renderAt: number; outputAt: number } | null {
    const r = this.report;
    if (!this.started || !r || r.snapshot.readTs === null || r.snapshot.state !== 'playing') return null;
    const now = performance.now();
    const contextTimeOfTs = r.contextTime + (ts - r.snapshot.readTs) / r.snapshot.rate / 1000;
    const out = this.context.getOutputTimestamp();
    const renderAt = now + (contextTimeOfTs - this.context.currentTime) * 1000;
    const outputAt = out.contextTime !== undefined && out.performanceTime !== undefined && out.performanceTime > 0 ? out.performanceTime + (contextTimeOfTs - out.contextTime) * 1000 : renderAt;
    return { renderAt, outputAt };
  }

  /** The context's own latency figures (s): baseLatency and outputLatency. */
  latencies(): { baseLatency: number; outputLatency: number } {
    return { baseLatency: this.context.baseLatency, outputLatency: this.context.outputLatency ?? 0 };
  }

  /** Output latency (ms): between the read head and the speaker. */
  outputLatencyMs(): number {
    const read = this.readTs();
    const shown = this.displayTs();
    return read === null || shown === null ? 0 : read - shown;
  }

  queuedMs(): number {
    return this.report?.snapshot.queuedMs ?? 0;
  }

  start(ts: number): void {
    this.started = true;
    this.post({ type: 'start', ts });
  }

  seek(ts: number): void {
    this.post({ type: 'seek', ts });
  }

  setRate(rate: number): void {
    if (rate === this.rate) return;
    this.rate = rate;
    this.post({ type: 'rate', rate });
  }

  /** Empties the buffer; with `epoch`, audio fed through `attachFeed` is kept only if it carries it. */
  clear(epoch?: number): void {
    this.started = false;
    this.report = null;
    this.post(epoch === undefined ? { type: 'clear' } : { type: 'clear', epoch });
  }

  /** A port the player's media worker posts decoded audio to (the other end of `port`). */
  attachFeed(port: MessagePort): void {
    this.post({ type: 'feed', port }, [port]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.post({ type: 'stop' });
    this.node.disconnect();
    this.gain.disconnect();
    if (this.shared) {
      this.shared.users -= 1;
      if (this.shared.users > 0) return;
      for (const [key, entry] of sharedContexts) if (entry === this.shared) sharedContexts.delete(key);
    }
    await this.context.close().catch(() => undefined);
  }

  private post(command: PlayoutCommand, transfer: Transferable[] = []): void {
    if (!this.closed) this.node.port.postMessage(command, transfer);
  }
}
