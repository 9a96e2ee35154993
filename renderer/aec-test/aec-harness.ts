// Test page for echo-cancellation measurements (bench/aec.ts, renderer/test/aec-*.test.ts):
// plays a far end on the default output and captures the mic with the studio's MicCapture,
// sending the PCM frames to a WebSocket sink (the engine side) or keeping them in memory.
// Driven from Playwright through `window.aecHarness`.
import { MicCapture, type MicDeviceChange } from '../audio/mic-capture';
import { frameBytes, type PcmFrame } from '../audio/pcm-frame';
import type { ActiveProcessingReport, AudioProcessingFlags } from '../audio/audio-processing';
import { LowLatencyPlayer } from '../player/low-latency-player';
import type { PlayerStats } from '../player/player-types';

interface CaptureRequest {
  readonly processing: AudioProcessingFlags;
  readonly deviceId?: string | null;
  /** WebSocket URL that receives each frame as one binary message (s16le); none = keep in memory. */
  readonly sinkUrl?: string;
}

interface HarnessState {
  capture: MicCapture | null;
  frames: Int16Array[];
  gapFrames: number;
  sink: WebSocket | null;
  deviceChanges: MicDeviceChange[];
  reports: ActiveProcessingReport[];
  errors: string[];
  farEnd: { context: AudioContext; source: AudioBufferSourceNode } | null;
  coHost: { player: LowLatencyPlayer; canvas: HTMLCanvasElement } | null;
}

const state: HarnessState = { capture: null, frames: [], gapFrames: 0, sink: null, deviceChanges: [], reports: [], errors: [], farEnd: null, coHost: null };

function onFrame(frame: PcmFrame): void {
  if (frame.gap) state.gapFrames += 1;
  if (state.sink) {
    if (state.sink.readyState === WebSocket.OPEN) state.sink.send(frameBytes(frame));
  } else {
    state.frames.push(frame.data as Int16Array);
  }
}

async function openSink(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`cannot open PCM sink ${url}`));
  });
  return socket;
}

const harness = {
  async startCapture(request: CaptureRequest): Promise<ActiveProcessingReport | null> {
    if (request.sinkUrl) state.sink = await openSink(request.sinkUrl);
    const capture = await MicCapture.start({ processing: request.processing, deviceId: request.deviceId ?? null, onFrame, retryBackoff: { stepsMs: [100, 200, 400] } });
    state.capture = capture;
    state.reports.push(capture.activeProcessing!);
    capture.events.on('processing', (report) => state.reports.push(report));
    capture.events.on('device', (change) => state.deviceChanges.push(change));
    capture.events.on('error', (error) => state.errors.push(`${error.name}: ${error.message}`));
    return capture.activeProcessing;
  },

  /** The streamer flips the switches (e.g. enableAEC off for headphones) while capturing. */
  async setProcessing(flags: AudioProcessingFlags): Promise<ActiveProcessingReport | null> {
    return (await state.capture?.setProcessing(flags)) ?? null;
  },

  async stopCapture(): Promise<void> {
    await state.capture?.close();
    state.capture = null;
    state.sink?.close();
    state.sink = null;
  },

  /** Plays a wav through Web Audio on the default output (the co-host, as the studio's player does). */
  async playFarEnd(url: string): Promise<number> {
    const context = new AudioContext({ sampleRate: 48_000, latencyHint: 'interactive' });
    const data = await (await fetch(url)).arrayBuffer();
    const buffer = await context.decodeAudioData(data);
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    await context.resume();
    source.start();
    state.farEnd = { context, source };
    return buffer.duration;
  },

  async stopFarEnd(): Promise<void> {
    const farEnd = state.farEnd;
    state.farEnd = null;
    if (!farEnd) return;
    farEnd.source.stop();
    await farEnd.context.close();
  },

  /** Plays a co-host's low-latency FLV with the studio's player (link mode: Web Audio on the default output). */
  startCoHost(url: string): void {
    const canvas = document.createElement('canvas');
    document.body.append(canvas);
    const player = new LowLatencyPlayer({ url, canvas, mode: 'link' });
    player.start();
    state.coHost = { player, canvas };
  },

  coHostStats(): PlayerStats | null {
    return state.coHost?.player.stats() ?? null;
  },

  async stopCoHost(): Promise<void> {
    const coHost = state.coHost;
    state.coHost = null;
    if (!coHost) return;
    await coHost.player.close();
    coHost.canvas.remove();
  },

  /** Frames kept in memory since the last call, as one s16 array, plus counters. */
  takeFrames(): { base64: string; frames: number; gapFrames: number } {
    const total = state.frames.reduce((n, f) => n + f.length, 0);
    const out = new Int16Array(total);
    let offset = 0;
    for (const f of state.frames) {
      out.set(f, offset);
      offset += f.length;
    }
    const frames = state.frames.length;
    state.frames = [];
    const bytes = new Uint8Array(out.buffer);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { base64: btoa(binary), frames, gapFrames: state.gapFrames };
  },

  status(): { framesDelivered: number; gapFrames: number; state: string; deviceChanges: MicDeviceChange[]; reports: ActiveProcessingReport[]; errors: string[] } {
    return {
      framesDelivered: state.capture?.framesDelivered ?? 0,
      gapFrames: state.gapFrames,
      state: state.capture?.state ?? 'none',
      deviceChanges: state.deviceChanges,
      reports: state.reports,
      errors: state.errors,
    };
  },

  async inputs(): Promise<{ deviceId: string; label: string; groupId: string }[]> {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices.filter((d) => d.kind === 'audioinput').map((d) => ({ deviceId: d.deviceId, label: d.label, groupId: d.groupId }));
  },
};

export type AecHarness = typeof harness;
(window as unknown as { aecHarness: AecHarness }).aecHarness = harness;
document.getElementById('status')!.textContent = 'ready';
