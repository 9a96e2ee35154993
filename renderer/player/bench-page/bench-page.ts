// Test and benchmark page: plays `?url=` with `?player=link|audience|mpegts` and records, for
// every picture that reaches the screen, the age of the timestamp blocks drawn in it by the source
// (glass to glass). `?count=N` plays N players of the same kind side by side in this page (a big
// host with N co-hosts); only the first is audible (the others play at volume 0, doing the same
// work) so a recording of the page's output is the first one's. `?mpegts=<config>` picks the
// stock player's configuration (MPEGTS_CONFIGS). Results are read by playwright from
// `window.__bench` (the first player) and `window.__benches` (all).
import mpegts from 'mpegts.js';
import { readStamp, stampAgeMs } from '../../../common/media/timestamp-blocks';
import { LowLatencyPlayer } from '../low-latency-player';
import type { BenchApi } from './bench-api';
import { MPEGTS_CONFIGS, type MpegtsConfigName } from './mpegts-configs';

const params = new URLSearchParams(location.search);
const url = params.get('url') ?? '';
const kind = params.get('player') ?? 'link';
const count = Math.max(1, Math.min(4, Number(params.get('count') ?? 1) || 1));
const stage = document.getElementById('stage')!;
const status = document.getElementById('status')!;
const probe = document.createElement('canvas');
probe.width = 320;
probe.height = 280;
const probeCtx = probe.getContext('2d', { willReadFrequently: true })!;

window.__benches = [];

/** Reads the blocks of what `source` shows now (source-frame coordinates = element pixels). */
function measure(bench: BenchApi, source: CanvasImageSource): void {
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

function record(bench: BenchApi, type: string, detail: unknown): void {
  bench.events.push({ at: Date.now(), type, detail });
}

function startMpegts(bench: BenchApi): void {
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  stage.append(video);
  const name = (params.get('mpegts') ?? 'liveSync') as MpegtsConfigName;
  const player = mpegts.createPlayer({ type: 'flv', isLive: true, url, hasAudio: true, hasVideo: true }, MPEGTS_CONFIGS[name] ?? MPEGTS_CONFIGS.liveSync);
  player.attachMediaElement(video);
  player.load();
  void Promise.resolve(player.play()).catch((error: unknown) => record(bench, 'error', String(error)));
  player.on(mpegts.Events.ERROR, (...args: unknown[]) => record(bench, 'error', args));
  const onFrame = (): void => {
    measure(bench, video);
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
  video.addEventListener('playing', () => record(bench, 'state', { state: 'playing' }), { once: true });
  bench.stats = () => ({ buffered: video.buffered.length ? video.buffered.end(video.buffered.length - 1) - video.currentTime : 0, rate: video.playbackRate });
  bench.close = async () => {
    player.destroy();
  };
}

function startOurs(bench: BenchApi, index: number): void {
  const canvas = document.createElement('canvas');
  canvas.width = 360;
  canvas.height = 640;
  stage.append(canvas);
  const tuning = Object.fromEntries(
    (['jitterWindowMs', 'shrinkMsPerSec', 'audioPercentile', 'marginMs', 'floorMs'] as const).filter((k) => params.has(k)).map((k) => [k, Number(params.get(k))]),
  );
  const hint = params.get('latencyHint');
  const audio = {
    ...(hint !== null ? { audioLatencyHint: Number.isFinite(Number(hint)) ? Number(hint) : (hint as AudioContextLatencyCategory) } : {}),
    ...(params.has('sharedAudio') ? { sharedAudioContext: params.get('sharedAudio') === '1' } : {}),
    ...(params.has('keepTime') ? { audioKeepTime: params.get('keepTime') === '1' } : {}),
  };
  const lead = params.has('lipSyncLeadMs') ? { lipSyncLeadMs: Number(params.get('lipSyncLeadMs')) } : {};
  if (params.has('mediaWorker')) Object.assign(lead, { mediaWorker: params.get('mediaWorker') === '1' });
  if (params.has('mediaWorkerUrl')) Object.assign(lead, { mediaWorkerUrl: params.get('mediaWorkerUrl') });
  const player = new LowLatencyPlayer({ url, canvas, mode: kind === 'audience' ? 'audience' : 'link', latencyTuning: tuning, volume: index === 0 ? 1 : 0, timingLog: true, ...audio, ...lead });
  player.on('render', () => measure(bench, canvas));
  for (const type of ['correction', 'stall', 'reconnect', 'reconnect_success', 'error', 'state', 'close'] as const) {
    player.on(type, (detail) => record(bench, type, detail));
  }
  player.on('stats', (stats) => {
    if (stats.clock === 'audio' && stats.latencyMs !== null) bench.audioLatency.push({ at: Date.now(), ms: stats.latencyMs });
    bench.trace.push({ at: Date.now(), latencyMs: stats.latencyMs, videoLatencyMs: stats.videoLatencyMs, targetMs: stats.targetMs, videoTargetMs: stats.videoTargetMs, jitterMs: stats.jitterMs, underruns: stats.audioUnderruns, outputLatencyMs: stats.audioOutputLatencyMs });
    if (index === 0) status.textContent = JSON.stringify(stats, null, 1);
  });
  bench.stats = () => player.stats();
  const epoch = (t: number | undefined): number | null => (t === undefined ? null : performance.timeOrigin + t);
  bench.audioTimings = () => player.audioTimings().map((t) => ({ ts: t.ts, arrivedAt: epoch(t.arrivedAt)!, decodedAt: epoch(t.decodedAt), renderAt: epoch(t.renderAt), outputAt: epoch(t.outputAt) }));
  bench.close = () => player.close();
  player.start();
}

function startAll(): void {
  for (let index = 0; index < count; index += 1) {
    const bench: BenchApi = { player: kind, samples: [], events: [], audioLatency: [], trace: [], unreadable: 0, stats: () => null, audioTimings: () => [], close: async () => undefined };
    window.__benches.push(bench);
    if (index === 0) window.__bench = bench;
    if (kind === 'mpegts') startMpegts(bench);
    else startOurs(bench, index);
  }
}

// `?defer=1`: the page is open, the players start when the bench says (`__startPlayers()`), as a
// studio creates a co-host's player when a link-mic is accepted.
window.__startPlayers = () => {
  window.__startPlayers = () => undefined;
  startAll();
};
if (params.get('defer') !== '1') window.__startPlayers();
