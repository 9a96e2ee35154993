// npm run bench:engine — what the push engine costs and how fast it delivers, on this machine.
//
// 1. CPU: the big-host preset (test pattern + tone, the encoder the engine picks) pushed through
//    the engine into the real origin for BENCH_ENGINE_SECONDS (default 20), then the same ffmpeg
//    command line run plainly (no wrapper, no progress pipe, no watchdog) for as long. ffmpeg's
//    CPU time (utime + stime from /proc) is scaled to CPU seconds per minute of streaming.
// 2. Latency, capture to origin: an Xvfb screen captured with x11grab (wall-clock timestamps:
//    ffmpeg prints the Unix time of the first frame as the input's start) pushed through the
//    engine; an HTTP-FLV reader connected to the origin before the publish timestamps each video
//    tag's arrival; latency = arrival - (input start + tag timestamp).
// The last line printed is one JSON object with the figures.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { BIG_HOST_PRESET } from '../common/presets';
import { sign } from '../common/signing';
import { buildAudienceUrl, buildPushUrl } from '../common/urls';
import { FlvDemuxer } from '../common/media/flv-demuxer';
import { LinkMicServer } from '../server/link-mic-server';
import { PushEngine } from '../main/engine/push-engine';
import { buildPushCommand } from '../main/engine/push-command';
import type { SourceSetup } from '../main/engine/sources';
import { nearestRank } from './helpers/percentile';

const SECONDS = Number(process.env['BENCH_ENGINE_SECONDS'] ?? 20);
const LATENCY_SECONDS = Number(process.env['BENCH_ENGINE_LATENCY_SECONDS'] ?? 15);
const KEY = 'bench-engine-key';
const SOURCES: SourceSetup = { video: { kind: 'testPattern' }, audio: { kind: 'tone' } };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const wallMs = (): number => performance.timeOrigin + performance.now();

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

const percentile = nearestRank;

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const server = new LinkMicServer({ host: '127.0.0.1', rtmpPort: 0, httpPort: 0, key: KEY, logLevel: 'silent', logger: pino({ level: 'silent' }) });
  await server.start();
  const rtmpHost = `127.0.0.1:${server.rtmpPort}`;
  const endpoint = { rtmpHost, httpHost: `127.0.0.1:${server.httpPort}` };
  const pushUrl = (code: string): string =>
    buildPushUrl({ rtmpHost, streamCode: code, mix: { sessionId: 4242, layer: 'b' }, signature: sign(KEY, code, Math.floor(Date.now() / 1000) + 3600) });
  const engine = await PushEngine.create({ ffmpegPath: process.env['FFMPEG_PATH'] ?? null, resourcesDir: 'resources' });
  try {
    const selection = await engine.selectEncoder();
    console.log(`ffmpeg ${engine.ffmpeg.version} (${engine.ffmpeg.path}); encoder ${selection.encoder}: ${selection.why}`);

    // 1a. through the engine
    await engine.start({ url: pushUrl('bench_engine'), role: 'big', sources: SOURCES });
    const enginePid = engine.pushPid as number;
    await sleep(1000); // past start-up
    const e0 = cpuSeconds(enginePid);
    const et0 = performance.now();
    await sleep(SECONDS * 1000);
    const e1 = cpuSeconds(enginePid);
    const et1 = performance.now();
    const engineStats = engine.stats;
    await engine.stop();
    const engineCpuPerMin = ((e1 - e0) / ((et1 - et0) / 1000)) * 60;
    console.log(`engine: ${round(engineCpuPerMin)} CPU s/min (fps ${engineStats?.fps}, ${engineStats?.bitrateKbps} kbps, speed ${engineStats?.speed})`);

    // 1b. the same command line, plain
    const plainUrl = pushUrl('bench_plain');
    const command = buildPushCommand({ sources: SOURCES, settings: BIG_HOST_PRESET, encoder: selection.encoder, url: plainUrl });
    const plain = spawn(engine.ffmpeg.path, ['-hide_banner', '-nostats', '-loglevel', 'error', ...command.args], { stdio: ['pipe', 'ignore', 'ignore'] });
    const plainExited = new Promise<void>((resolve) => plain.once('exit', () => resolve()));
    const deadline = Date.now() + 15_000;
    while (!server.getStream('bench_plain')) {
      if (Date.now() > deadline) throw new Error('plain ffmpeg did not publish');
      await sleep(100);
    }
    await sleep(1000);
    const p0 = cpuSeconds(plain.pid as number);
    const pt0 = performance.now();
    await sleep(SECONDS * 1000);
    const p1 = cpuSeconds(plain.pid as number);
    const pt1 = performance.now();
    plain.stdin.end('q');
    const killTimer = setTimeout(() => plain.kill('SIGKILL'), 5000);
    await plainExited;
    clearTimeout(killTimer);
    const plainCpuPerMin = ((p1 - p0) / ((pt1 - pt0) / 1000)) * 60;
    console.log(`plain ffmpeg: ${round(plainCpuPerMin)} CPU s/min`);

    // 2. capture-to-origin latency
    const latency = await measureLatency(engine, pushUrl('bench_latency'), buildAudienceUrl({ protocol: 'http-flv', endpoint, streamCode: 'bench_latency' }));

    const result = {
      bench: 'engine',
      ffmpeg: engine.ffmpeg.version,
      encoder: selection.encoder,
      preset: 'big-host 360x640@15 800 kbps + AAC 48 kHz mono',
      measuredSeconds: SECONDS,
      engineCpuSecPerMin: round(engineCpuPerMin),
      plainFfmpegCpuSecPerMin: round(plainCpuPerMin),
      ratio: round(engineCpuPerMin / plainCpuPerMin, 3),
      captureToOriginLatencyMs: latency,
    };
    console.log(JSON.stringify(result));
  } finally {
    await engine.close();
    await server.close();
  }
}

interface LatencyResult {
  source: string;
  samples: number;
  p50: number;
  p95: number;
  max: number;
  note?: string;
}

async function measureLatency(engine: PushEngine, pushUrl: string, flvUrl: string): Promise<LatencyResult | { skipped: string }> {
  if (!existsSync('/usr/bin/Xvfb')) return { skipped: 'Xvfb is not installed' };
  let display = '';
  for (let n = 120 + Math.floor(Math.random() * 200); n < 400; n++) {
    if (!existsSync(`/tmp/.X11-unix/X${n}`) && !existsSync(`/tmp/.X${n}-lock`)) {
      display = `:${n}`;
      break;
    }
  }
  const xvfb = spawn('Xvfb', [display, '-screen', '0', '1280x720x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  const xvfbExited = new Promise<void>((resolve) => xvfb.once('exit', () => resolve()));
  const arrivals: Array<{ at: number; dts: number }> = [];
  let request: http.ClientRequest | undefined;
  let connectedEarly: boolean;
  const connect = (): void => {
    const demuxer = new FlvDemuxer();
    request = http.get(flvUrl, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return;
      }
      res.on('data', (chunk: Buffer) => {
        const at = wallMs();
        for (const event of demuxer.push(chunk)) if (event.kind === 'video') arrivals.push({ at, dts: event.dts });
      });
    });
    request.on('error', () => undefined);
  };
  try {
    for (let i = 0; i < 100 && !existsSync(`/tmp/.X11-unix/X${display.slice(1)}`); i++) await sleep(100);
    connect(); // before the publish: no GOP-cache burst, and we see the very first frame
    await engine.start({ url: pushUrl, role: 'big', sources: { video: { kind: 'screen', display }, audio: { kind: 'tone' } } });
    await sleep(500);
    connectedEarly = arrivals.length > 0;
    if (!connectedEarly) {
      request?.destroy();
      connect();
    }
    await sleep(LATENCY_SECONDS * 1000);
    const start = engine.inputStartTimes[0];
    await engine.stop();
    request?.destroy();
    if (start === undefined || arrivals.length === 0) return { skipped: 'no input start time or no frames' };
    // The FLV muxer shifts all timestamps so none is negative (AAC priming): the first video frame
    // was captured at the input start, so its timestamp is that shift.
    const shift = connectedEarly ? (arrivals[0] as { dts: number }).dts : 0;
    const skipUntil = connectedEarly ? 0 : (arrivals[0] as { at: number }).at + 2000;
    const latencies = arrivals.filter((a) => a.at >= skipUntil).map((a) => a.at - (start * 1000 + a.dts - shift));
    if (process.env['BENCH_ENGINE_DEBUG']) console.log(JSON.stringify({ start, series: arrivals.map((a) => Math.round(a.at - (start * 1000 + a.dts - shift))) }));
    latencies.sort((a, b) => a - b);
    return {
      source: `x11grab ${display} (Xvfb 1280x720) -> big-host preset -> origin -> HTTP-FLV reader`,
      samples: latencies.length,
      p50: round(percentile(latencies, 50), 1),
      p95: round(percentile(latencies, 95), 1),
      max: round(latencies[latencies.length - 1] as number, 1),
      ...(connectedEarly ? { note: `timestamps shifted by ${shift} ms by the FLV muxer (corrected)` } : { note: 'reader joined late; first 2 s dropped; muxer shift not corrected' }),
    };
  } finally {
    request?.destroy();
    if (xvfb.exitCode === null && xvfb.pid !== undefined) process.kill(xvfb.pid, 'SIGTERM');
    await xvfbExited;
  }
}

await main();
