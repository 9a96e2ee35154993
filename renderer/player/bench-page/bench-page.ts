// Test and benchmark page: plays `?url=` with `?player=link|audience|mpegts` and records, for
// every picture that reaches the screen, the age of the timestamp blocks drawn in it by the source
// (glass to glass). Results are read by playwright from `window.__bench`.
import mpegts from 'mpegts.js';
import { readStamp, stampAgeMs } from '../../../common/media/timestamp-blocks';
import { LowLatencyPlayer } from '../low-latency-player';
import type { BenchApi } from './bench-api';

const params = new URLSearchParams(location.search);
const url = params.get('url') ?? '';
const kind = params.get('player') ?? 'link';
const stage = document.getElementById('stage')!;
const status = document.getElementById('status')!;
const probe = document.createElement('canvas');
probe.width = 320;
probe.height = 280;
const probeCtx = probe.getContext('2d', { willReadFrequently: true })!;

const bench: BenchApi = { player: kind, samples: [], events: [], audioLatency: [], trace: [], unreadable: 0, stats: () => null, close: async () => undefined };
window.__bench = bench;

/** Reads the blocks of what `source` shows now (source-frame coordinates = element pixels). */
function measure(source: CanvasImageSource): void {
  const at = Date.now();
  probeCtx.drawImage(source, 0, 0, 320, 280, 0, 0, 320, 280);
  const pixels = probeCtx.getImageData(0, 0, 320, 280).data;
  const stamp = readStamp((x, y) => pixels[(y * 320 + x) * 4] ?? 0);
  if (!stamp) {
    bench.unreadable += 1;
    return;
  }
  const last = bench.samples[bench.samples.length - 1];
  if (last && last.counter === stamp.counter) return; // same picture again
  bench.samples.push({ at, ageMs: stampAgeMs(stamp, at), counter: stamp.counter });
}

function record(type: string, detail: unknown): void {
  bench.events.push({ at: Date.now(), type, detail });
}

if (kind === 'mpegts') {
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  stage.append(video);
  // Tuned as in the latency notes: no stash buffer, liveSync (max 0.4, target 0.2, rate 1.5).
  const player = mpegts.createPlayer(
    { type: 'flv', isLive: true, url, hasAudio: true, hasVideo: true },
    {
      enableStashBuffer: false,
      liveSync: true,
      liveSyncMaxLatency: 0.4,
      liveSyncTargetLatency: 0.2,
      liveSyncPlaybackRate: 1.5,
    },
  );
  player.attachMediaElement(video);
  player.load();
  void Promise.resolve(player.play()).catch((error: unknown) => record('error', String(error)));
  player.on(mpegts.Events.ERROR, (...args: unknown[]) => record('error', args));
  const onFrame = (): void => {
    measure(video);
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
  bench.stats = () => ({ buffered: video.buffered.length ? video.buffered.end(video.buffered.length - 1) - video.currentTime : 0, rate: video.playbackRate });
  bench.close = async () => {
    player.destroy();
  };
} else {
  const canvas = document.createElement('canvas');
  canvas.width = 360;
  canvas.height = 640;
  stage.append(canvas);
  const tuning = Object.fromEntries(
    (['jitterWindowMs', 'shrinkMsPerSec'] as const).filter((k) => params.has(k)).map((k) => [k, Number(params.get(k))]),
  );
  const player = new LowLatencyPlayer({ url, canvas, mode: kind === 'audience' ? 'audience' : 'link', latencyTuning: tuning });
  player.on('render', () => measure(canvas));
  for (const type of ['correction', 'stall', 'reconnect', 'reconnect_success', 'error', 'state', 'close'] as const) {
    player.on(type, (detail) => record(type, detail));
  }
  player.on('stats', (stats) => {
    if (stats.clock === 'audio' && stats.latencyMs !== null) bench.audioLatency.push({ at: Date.now(), ms: stats.latencyMs });
    bench.trace.push({ at: Date.now(), latencyMs: stats.latencyMs, videoLatencyMs: stats.videoLatencyMs, targetMs: stats.targetMs, videoTargetMs: stats.videoTargetMs, jitterMs: stats.jitterMs, underruns: stats.audioUnderruns });
    status.textContent = JSON.stringify(stats, null, 1);
  });
  bench.stats = () => player.stats();
  bench.close = () => player.close();
  player.start();
}
