// The on-air microphone of a link-mic host: getUserMedia with the streamer's processing switches
// (AEC3 must run in the same app that plays the co-host, see shared/design/aec-notes.md) →
// AudioWorklet → 48 kHz mono PCM frames handed to a sink (the StudioApi carries them to the
// engine's PCM input). It follows device changes: when the chosen microphone disappears it falls
// back to the system default, when the default changes it follows it, when the track ends it
// re-acquires with the same constraints; meanwhile the sink keeps getting (silent) frames.
import { backoffDelayMs, RESTART_BACKOFF, type BackoffOptions } from '../../common/backoff';
import { TypedEmitter } from '../../common/typed-emitter';
import { micConstraints, readActiveProcessing, type ActiveProcessingReport, type AudioProcessingFlags } from './audio-processing';
import { CAPTURE_PROCESSOR_NAME, CAPTURE_WORKLET_SOURCE, type CaptureChunkMessage } from './capture-worklet-source';
import { LINK_MIC_SAMPLE_RATE, type PcmFrameSink, type PcmSampleFormat } from './pcm-frame';
import { PcmFramePacker } from './pcm-frame-packer';

export interface MicCaptureOptions {
  /** The chosen microphone (`MediaDeviceInfo.deviceId`); null or 'default' = the system default. */
  readonly deviceId?: string | null;
  readonly processing: AudioProcessingFlags;
  /** Gets every frame, in order, without holes (silent `gap` frames while no microphone delivers). */
  readonly onFrame: PcmFrameSink;
  /** Default 20 ms (960 samples). */
  readonly frameMs?: number;
  /** Default 's16' (what the engine's `-f s16le` input reads). */
  readonly format?: PcmSampleFormat;
  /** Injectable for tests; default `navigator.mediaDevices`. */
  readonly mediaDevices?: MediaDevices;
  /** Delays between re-acquire attempts after a loss (common/backoff.ts). Default RESTART_BACKOFF: 200, 500, 1000, then 2000 ms. */
  readonly retryBackoff?: BackoffOptions;
  /**
   * Also re-reads the device list this often (ms; 0 = never). Chromium on Linux raises
   * `devicechange` from udev only, so PulseAudio-only devices (Bluetooth headsets, virtual
   * sources) come and go without the event; and PulseAudio silently moves a stream whose source
   * vanished. Default 1500 ms.
   */
  readonly devicePollMs?: number;
  /**
   * Where to load the AudioWorklet processor from. Default: a Blob URL of CAPTURE_WORKLET_SOURCE,
   * which needs `blob:` in the page's CSP `script-src` (worklets follow script-src, not
   * worker-src); a host that serves CAPTURE_WORKLET_SOURCE itself can pass a same-origin URL.
   */
  readonly workletUrl?: string;
}

/** Why the capture changed device; the console turns it into a sentence. */
export type MicDeviceChange =
  | { readonly kind: 'lost'; readonly reason: 'ended' | 'removed'; readonly deviceId: string; readonly label: string }
  /** The chosen device is gone (or refused): capturing the system default instead. */
  | { readonly kind: 'fallback'; readonly fromDeviceId: string; readonly fromLabel: string; readonly report: ActiveProcessingReport }
  /** The system default input changed and the capture followed it. */
  | { readonly kind: 'followed-default'; readonly report: ActiveProcessingReport }
  /** Capturing again after a loss, on the same device. */
  | { readonly kind: 'recovered'; readonly report: ActiveProcessingReport }
  /** The streamer picked another device or other switches. */
  | { readonly kind: 'switched'; readonly report: ActiveProcessingReport };

export interface MicCaptureEvents extends Record<string, unknown> {
  /** What is really active, after every (re-)acquire. */
  processing: ActiveProcessingReport;
  device: MicDeviceChange;
  /** A re-acquire attempt failed; another follows. */
  error: { readonly message: string; readonly name: string };
  close: { readonly closedByUs: boolean };
}

export type MicCaptureState = 'capturing' | 'reacquiring' | 'closed';

interface Acquired {
  readonly stream: MediaStream;
  readonly track: MediaStreamTrack;
  readonly source: MediaStreamAudioSourceNode;
  readonly report: ActiveProcessingReport;
  readonly onEnded: () => void;
}

export class MicCapture {
  readonly events = new TypedEmitter<MicCaptureEvents>((error, event) => console.error(`mic capture listener for ${event} threw`, error));
  private readonly context: AudioContext;
  private readonly worklet: AudioWorkletNode;
  private readonly packer: PcmFramePacker;
  private readonly mediaDevices: MediaDevices;
  private readonly retryBackoff: BackoffOptions;
  private chosenDeviceId: string | null;
  private processing: AudioProcessingFlags;
  private current: Acquired | null = null;
  private stateValue: MicCaptureState = 'reacquiring';
  private knownInputs = '';
  private defaultGroupId = '';
  /** Serialises acquire work: device events arrive in bursts. */
  private queue: Promise<unknown> = Promise.resolve();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private polling = false;
  private readonly onDeviceChange = (): void => {
    this.schedule(() => this.handleDeviceChange());
  };

  private constructor(context: AudioContext, worklet: AudioWorkletNode, options: MicCaptureOptions, mediaDevices: MediaDevices) {
    this.context = context;
    this.worklet = worklet;
    this.mediaDevices = mediaDevices;
    this.chosenDeviceId = normaliseDeviceId(options.deviceId ?? null);
    this.processing = options.processing;
    this.retryBackoff = options.retryBackoff ?? {};
    this.packer = new PcmFramePacker({
      inputRate: context.sampleRate,
      frameMs: options.frameMs ?? 20,
      format: options.format ?? 's16',
      onFrame: options.onFrame,
    });
    worklet.port.onmessage = (event: MessageEvent<CaptureChunkMessage>) => {
      const gap = event.data.gap || this.current === null;
      this.packer.push(gap ? new Float32Array(event.data.samples.length) : event.data.samples, gap);
    };
  }

  /** Opens the microphone and starts delivering frames. Rejects when no microphone can be opened at all. */
  static async start(options: MicCaptureOptions): Promise<MicCapture> {
    const mediaDevices = options.mediaDevices ?? navigator.mediaDevices;
    let context: AudioContext;
    try {
      context = new AudioContext({ sampleRate: LINK_MIC_SAMPLE_RATE, latencyHint: 'interactive' });
    } catch {
      context = new AudioContext({ latencyHint: 'interactive' }); // resampled to 48 kHz by the packer
    }
    const url = options.workletUrl ?? URL.createObjectURL(new Blob([CAPTURE_WORKLET_SOURCE], { type: 'text/javascript' }));
    let capture: MicCapture | null = null;
    try {
      await context.audioWorklet.addModule(url).catch((error: unknown) => {
        const why = error instanceof Error ? error.message : String(error);
        throw new Error(`cannot load the mic capture AudioWorklet (a CSP without blob: in script-src blocks it): ${why}`, { cause: error });
      });
      const worklet = new AudioWorkletNode(context, CAPTURE_PROCESSOR_NAME, { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit' });
      capture = new MicCapture(context, worklet, options, mediaDevices);
      // Acquire first: a page that captures the mic may start audio without a user gesture.
      await capture.enqueue(() => capture!.initialAcquire());
      await context.resume();
      mediaDevices.addEventListener('devicechange', capture.onDeviceChange);
      capture.startPolling(options.devicePollMs ?? 1500);
      return capture;
    } catch (error) {
      if (capture) await capture.close();
      else await context.close().catch(() => undefined);
      throw error;
    } finally {
      if (options.workletUrl === undefined) URL.revokeObjectURL(url);
    }
  }

  get state(): MicCaptureState {
    return this.stateValue;
  }

  /** What is really active now (null while re-acquiring). */
  get activeProcessing(): ActiveProcessingReport | null {
    return this.current?.report ?? null;
  }

  get deviceId(): string | null {
    return this.chosenDeviceId;
  }

  get framesDelivered(): number {
    return this.packer.framesEmitted;
  }

  get contextSampleRate(): number {
    return this.context.sampleRate;
  }

  /** Switches processing (e.g. `enableAEC` off for headphones): re-acquires with the new constraints. */
  setProcessing(flags: AudioProcessingFlags): Promise<ActiveProcessingReport> {
    return this.enqueue(async () => {
      this.processing = flags;
      const report = await this.replace(this.chosenDeviceId);
      this.events.emit('device', { kind: 'switched', report });
      return report;
    });
  }

  /** Captures another device (null = system default). */
  setDevice(deviceId: string | null): Promise<ActiveProcessingReport> {
    return this.enqueue(async () => {
      this.chosenDeviceId = normaliseDeviceId(deviceId);
      const report = await this.replace(this.chosenDeviceId);
      this.events.emit('device', { kind: 'switched', report });
      return report;
    });
  }

  /** Stops the microphone, the worklet and the context. Idempotent; emits `close` once. */
  async close(): Promise<void> {
    await this.shutdown(true);
  }

  private async shutdown(closedByUs: boolean): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    this.mediaDevices.removeEventListener('devicechange', this.onDeviceChange);
    this.release();
    this.worklet.port.postMessage('stop');
    this.worklet.port.onmessage = null;
    this.worklet.disconnect();
    await this.context.close().catch(() => undefined);
    this.events.emit('close', { closedByUs });
    this.events.removeAllListeners();
  }

  private startPolling(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.pollTimer = setInterval(() => {
      if (this.polling || this.stateValue === 'closed') return;
      this.polling = true;
      this.listInputs()
        .then((inputs) => {
          const changed = inputsKey(inputs) !== this.knownInputs || (inputs.find((d) => d.deviceId === 'default')?.groupId ?? '') !== this.defaultGroupId;
          if (changed && this.stateValue !== 'closed') return this.enqueue(() => this.handleDeviceChange());
          return undefined;
        })
        .catch(() => undefined)
        .finally(() => {
          this.polling = false;
        });
    }, intervalMs);
  }

  /** Queues device work from an event or timer; failures become `error` events (none after close). */
  private schedule(work: () => Promise<void>): void {
    this.enqueue(work).catch((error: unknown) => {
      if (this.stateValue !== 'closed') this.events.emit('error', errorEvent(error));
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => (this.stateValue === 'closed' ? Promise.reject(new Error('mic capture is closed')) : work()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async initialAcquire(): Promise<void> {
    await this.rememberInputs();
    const chosen = this.chosenDeviceId;
    if (chosen === null) {
      await this.replace(null);
      return;
    }
    try {
      await this.replace(chosen);
    } catch (error) {
      if (!isDeviceMissing(error)) throw error;
      const report = await this.replace(null);
      this.events.emit('device', { kind: 'fallback', fromDeviceId: chosen, fromLabel: '', report });
    }
  }

  /** Opens `deviceId` (null = default) with the current flags, then swaps it in; the old track stops. */
  private async replace(deviceId: string | null): Promise<ActiveProcessingReport> {
    const stream = await this.mediaDevices.getUserMedia(micConstraints(deviceId, this.processing));
    if (this.stateValue === 'closed') {
      for (const track of stream.getTracks()) track.stop();
      throw new Error('mic capture is closed');
    }
    const track = stream.getAudioTracks()[0];
    if (!track) throw new DOMException('getUserMedia returned no audio track', 'NotFoundError');
    this.release();
    const source = this.context.createMediaStreamSource(stream);
    source.connect(this.worklet);
    const report = readActiveProcessing(track, this.processing, this.context.sampleRate, deviceId === null);
    const onEnded = (): void => {
      this.schedule(() => this.handleLoss('ended'));
    };
    track.addEventListener('ended', onEnded);
    this.current = { stream, track, source, report, onEnded };
    this.stateValue = 'capturing';
    this.defaultGroupId = (await this.listInputs()).find((d) => d.deviceId === 'default')?.groupId ?? this.defaultGroupId;
    this.events.emit('processing', report);
    return report;
  }

  /** Disconnects and stops the current track; frames continue as silence. */
  private release(): void {
    const current = this.current;
    if (!current) return;
    this.current = null;
    current.track.removeEventListener('ended', current.onEnded);
    current.source.disconnect();
    for (const track of current.stream.getTracks()) track.stop();
    if (this.stateValue !== 'closed') this.stateValue = 'reacquiring';
  }

  private async listInputs(): Promise<MediaDeviceInfo[]> {
    const devices = await this.mediaDevices.enumerateDevices();
    return devices.filter((d) => d.kind === 'audioinput');
  }

  private async rememberInputs(): Promise<MediaDeviceInfo[]> {
    const inputs = await this.listInputs();
    this.knownInputs = inputsKey(inputs);
    return inputs;
  }

  private async handleDeviceChange(): Promise<void> {
    const before = this.knownInputs;
    const inputs = await this.rememberInputs();
    const current = this.current;
    if (current === null) {
      // Waiting for a device: try now rather than at the next retry.
      await this.reacquire();
      return;
    }
    if (current.track.readyState === 'ended') {
      await this.handleLoss('ended');
      return;
    }
    const chosen = this.chosenDeviceId;
    if (chosen !== null && !current.report.isDefaultDevice) {
      if (!inputs.some((d) => d.deviceId === chosen)) {
        this.events.emit('device', { kind: 'lost', reason: 'removed', deviceId: chosen, label: current.report.label });
        const report = await this.replaceOrWait(null);
        if (report) this.events.emit('device', { kind: 'fallback', fromDeviceId: chosen, fromLabel: current.report.label, report });
      }
      return;
    }
    if (chosen !== null && current.report.isDefaultDevice && inputs.some((d) => d.deviceId === chosen)) {
      // The chosen device is back after a fallback.
      const report = await this.replaceOrWait(chosen);
      if (report) this.events.emit('device', { kind: 'recovered', report });
      return;
    }
    // On the default device: re-open it when the default itself changed or an input went away
    // (it may have been the one behind the default). A device merely plugged in changes nothing.
    const defaultGroupId = inputs.find((d) => d.deviceId === 'default')?.groupId ?? '';
    const present = new Set(inputs.map((d) => d.deviceId));
    const removed = before.split('\n').some((line) => line !== '' && !present.has(line.split('|')[0] ?? ''));
    if (removed || defaultGroupId !== this.defaultGroupId) {
      const report = await this.replaceOrWait(null);
      if (report) this.events.emit('device', { kind: 'followed-default', report });
    }
  }

  private async handleLoss(reason: 'ended' | 'removed'): Promise<void> {
    const current = this.current;
    if (current === null || current.track.readyState !== 'ended') return;
    this.events.emit('device', { kind: 'lost', reason, deviceId: current.report.deviceId, label: current.report.label });
    this.release();
    await this.reacquire(current.report.label);
  }

  /** Re-opens the chosen device, or the default when it is gone; schedules retries while none opens. */
  private async reacquire(lostLabel = '', attempt = 0): Promise<void> {
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    if (this.current !== null) return;
    const chosen = this.chosenDeviceId;
    const inputs = await this.rememberInputs();
    const chosenPresent = chosen !== null && inputs.some((d) => d.deviceId === chosen);
    try {
      const report = await this.replace(chosenPresent ? chosen : null);
      if (chosen !== null && !chosenPresent) this.events.emit('device', { kind: 'fallback', fromDeviceId: chosen, fromLabel: lostLabel, report });
      else this.events.emit('device', { kind: 'recovered', report });
    } catch (error) {
      if (this.stateValue === 'closed') return;
      this.events.emit('error', errorEvent(error));
      const delay = backoffDelayMs(this.retryBackoff, RESTART_BACKOFF, attempt + 1);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.schedule(() => this.reacquire(lostLabel, attempt + 1));
      }, delay);
    }
  }

  private async replaceOrWait(deviceId: string | null): Promise<ActiveProcessingReport | null> {
    try {
      return await this.replace(deviceId);
    } catch (error) {
      this.release();
      this.events.emit('error', errorEvent(error));
      await this.reacquire();
      return null;
    }
  }
}

function errorEvent(error: unknown): MicCaptureEvents['error'] {
  return { message: error instanceof Error ? error.message : String(error), name: error instanceof Error ? error.name : 'Error' };
}

function normaliseDeviceId(deviceId: string | null): string | null {
  return deviceId === null || deviceId === '' || deviceId === 'default' ? null : deviceId;
}

function inputsKey(inputs: readonly MediaDeviceInfo[]): string {
  return inputs
    .map((d) => `${d.deviceId}|${d.groupId}|${d.label}`)
    .sort()
    .join('\n');
}

function isDeviceMissing(error: unknown): boolean {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  return name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError';
}
