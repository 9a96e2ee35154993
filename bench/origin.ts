// npm run bench:origin — transit latency through the origin and HTTP-FLV fan-out on this machine.
//
// The origin runs as the real headless CLI in its own process. This process is both the encoder
// (a raw RTMP publisher at the big host's rate: 15 fps video at ~800 kbps plus 48 kHz AAC-sized
// audio frames) and the audience (HTTP-FLV viewers). Every packet carries the wall-clock time it
// was written (performance.now() of this process); transit latency is its arrival time at each
// viewer minus that stamp. Steps of 24, 100, 250, 500, 1000 viewers, each measured for a bounded
// window; the sweep stops at the first step whose p99 passes 100 ms. 24 viewers parse FLV and
// measure; the rest read and discard over raw sockets (the load generator shares the 2 cores).
// The last line printed is one JSON object with the figures.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { BIG_HOST_PRESET, sign } from '../common';
import { FlvParser } from '../server/test/helpers/flv-reader';
import { RawRtmpClient } from '../server/test/helpers/raw-rtmp-client';
import { StampedPublisher as Publisher, stampedTransitMs } from './helpers/stamped-stream';
import { rampViewers, type RampResult } from './helpers/viewer-ramp';

const STEPS = [24, 100, 250, 500, 1000];
/** Viewers that measure latency; the others only read. */
const PROBES = 24;
const P99_LIMIT_MS = 100;
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 5000);
const CONNECT_TIMEOUT_MS = 20_000;
const KEY = 'bench-origin-key';
const STREAM = 'bench';

const require = createRequire(import.meta.url);

interface ServerFigures {
  serverCpuPct: number;
  serverRssMb: number;
}

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

/** CPU seconds (user + system) and RSS of a process, from /proc. */
function procStats(pid: number): { cpuSec: number; rssMb: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rssPages = Number(fields[21]);
    return { cpuSec: ticks / 100, rssMb: Math.round((rssPages * 4096) / 1024 / 1024) };
  } catch {
    return { cpuSec: NaN, rssMb: NaN };
  }
}

async function startOrigin(): Promise<{ pid: number; rtmpPort: number; httpPort: number; stop: () => Promise<void> }> {
  // `node --import tsx` (not the tsx CLI, which runs the script in a second process) so the
  // CPU and RSS read from /proc are the origin's own.
  const cli = path.resolve(import.meta.dirname, '..', 'server', 'cli.ts');
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx/esm')).href, cli, '--rtmp-port', '0', '--http-port', '0', '--key', KEY, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ rtmpPort: number; httpPort: number }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line) resolve(JSON.parse(line) as { rtmpPort: number; httpPort: number });
    });
    child.once('exit', (code) => reject(new Error(`origin exited with ${code} before ready`)));
  });
  return {
    pid: child.pid!,
    ...ready,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * A viewer that reads and discards the stream over a raw socket (no HTTP or FLV parsing), so
 * the load generator spends its CPU on being an audience, not on bookkeeping.
 */
class SinkViewer {
  gotMedia = false;
  closed = false;
  private readonly socket: net.Socket;

  constructor(port: number, pathAndQuery: string) {
    this.socket = net.connect({ host: '127.0.0.1', port }, () => {
      this.socket.write(`GET ${pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    });
    let bytes = 0;
    this.socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > 64 * 1024) this.gotMedia = true;
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => (this.closed = true));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A viewer that parses FLV tags and records the transit latency of each stamped packet. */
class ProbeViewer {
  gotMedia = false;
  closed = false;
  private readonly request: http.ClientRequest;

  constructor(url: string, onLatency: (ms: number) => void) {
    const parser = new FlvParser((tag) => {
      if (tag.type !== 8 && tag.type !== 9) return;
      const ms = stampedTransitMs(tag.type, tag.data);
      if (ms === undefined) return;
      this.gotMedia = true;
      onLatency(ms);
    });
    this.request = http.get(url, { agent: false }, (res) => {
      res.on('data', (chunk: Buffer) => parser.push(chunk));
      res.on('error', () => undefined);
    });
    this.request.on('error', () => undefined);
    this.request.on('close', () => (this.closed = true));
  }

  close(): void {
    this.request.destroy();
  }
}

async function main(): Promise<void> {
  const loadAtStart = Math.round(os.loadavg()[0]! * 100) / 100;
  log(`bench:origin — ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadAtStart}`);
  const origin = await startOrigin();
  const client = new RawRtmpClient({ host: '127.0.0.1', port: origin.rtmpPort });
  await client.open();
  const signature = sign(KEY, STREAM, Math.floor(Date.now() / 1000) + 3600);
  // No t_id: a push naming a mix template gets a server-side mix, and audience plays would be
  // served from the mix instead of the pushed stream.
  const status = await client.publish(`${STREAM}?mix=layer:b;session_id:1&txSecret=${signature.txSecret}&txTime=${signature.txTime}`);
  if (status.code !== 'NetStream.Publish.Start') throw new Error(`publish refused: ${status.description}`);
  const publisher = new Publisher(client);
  publisher.start();

  const url = `http://127.0.0.1:${origin.httpPort}/live/${STREAM}.flv`;
  let ramp: RampResult<ServerFigures>;
  try {
    ramp = await rampViewers<ServerFigures>({
      steps: STEPS,
      p99LimitMs: P99_LIMIT_MS,
      measureMs: MEASURE_MS,
      deadlineMs: 240_000,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      batch: 50,
      addViewer: (index, probe) => (index < PROBES ? new ProbeViewer(url, probe) : new SinkViewer(origin.httpPort, `/live/${STREAM}.flv`)),
      measureAlso: () => {
        const cpuBefore = procStats(origin.pid);
        const wallBefore = performance.now();
        return () => {
          const cpuAfter = procStats(origin.pid);
          const wallSec = (performance.now() - wallBefore) / 1000;
          return { serverCpuPct: Math.round(((cpuAfter.cpuSec - cpuBefore.cpuSec) / wallSec) * 100), serverRssMb: cpuAfter.rssMb };
        };
      },
      describe: (step) =>
        `viewers ${String(step.viewers).padStart(4)}: p50 ${step.p50} ms, p95 ${step.p95} ms, p99 ${step.p99} ms, max ${step.max} ms ` +
        `(${step.samples} samples), origin CPU ${step.serverCpuPct}%, RSS ${step.serverRssMb} MB, dropped ${step.viewersDropped}`,
    });
  } finally {
    publisher.stop();
    await client.destroy();
    await origin.stop();
  }
  const { steps } = ramp;

  const at24 = steps.find((step) => step.viewers === 24);
  const result = {
    bench: 'origin',
    cores: os.cpus().length,
    loadAverage1mAtStart: loadAtStart,
    stream: { videoKbps: BIG_HOST_PRESET.videoBitrateKbps, fps: BIG_HOST_PRESET.fps, audioFramesPerSec: 46.875 },
    transitLatencyMs: at24 ? { viewers: 24, p50: at24.p50, p95: at24.p95, p99: at24.p99 } : null,
    viewersServedWithP99Under100ms: ramp.viewersWithinLimit,
    firstStepOverLimit: ramp.firstStepOverLimit,
    steps,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:origin failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
