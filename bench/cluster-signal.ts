// C2C across signalling nodes at 10,000 connections (issue 15 item 5's signalling figure).
//
//   npm run bench:cluster-signal [-- --connections 10000 --rate 1000 --seconds 5]
//   import { runClusterSignalBench } from './cluster-signal'  (bench:cluster calls it)
//
// One real redis-server and two real server processes sharing it (`--redis-url`), each started
// here on free ports and stopped by PID. A load-generator process opens the connections with the
// real SignalClient, half to each node, then sends C2C messages at a fixed rate, every one from a
// user on one node to a user on the other, and measures send → receive time. Bounded: at most
// 50 000 connections, at most 60 s of sending, a hard time limit after which every child is killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { SignalClient } from '../common/signal/signal-client';
import { mintUserToken } from '../server/signal/user-sig';
import { nearestRank } from './helpers/percentile';

const TOKEN_KEY = 'bench-cluster-signal-token-key-0123';
const HARD_TIME_LIMIT_MS = 300_000;
const SELF = fileURLToPath(import.meta.url);
const CLI = path.resolve(path.dirname(SELF), '..', 'server', 'cli.ts');
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';

export interface ClusterSignalBenchOptions {
  /** Connections in all, half on each node (default 10 000). */
  readonly connections?: number;
  /** C2C messages per second, all across nodes (default 1000). */
  readonly rate?: number;
  /** Seconds of measured sending (default 5). */
  readonly seconds?: number;
  /** Progress lines (default: stderr). */
  readonly log?: (line: string) => void;
}

export interface ClusterSignalFigures {
  readonly bench: 'cluster-signal';
  readonly nodes: 2;
  readonly connections: number;
  readonly connectFailed: number;
  readonly connectSeconds: number;
  /** C2C where sender and recipient are on different nodes (through Redis pub/sub). */
  readonly c2cAcrossNodes: { ratePerSec: number; seconds: number; samples: number; lost: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** Resident memory of each signalling node after the connections were open. */
  readonly nodeRssMiB: readonly number[];
  readonly redisRssMiB: number;
  /** The machine's 1-minute load average at the end (2 cores shared with other work). */
  readonly loadAverage1m: number;
}

interface Settings {
  connections: number;
  rate: number;
  seconds: number;
}

type GeneratorCommand = { cmd: 'connect' | 'warmup' | 'measure' | 'exit' };
type GeneratorReport =
  | { kind: 'connected'; connections: number; failed: number; failures: Record<string, number>; ms: number }
  | { kind: 'measured'; samples: number; lost: number; latenciesMs: number[] }
  | { kind: 'warm' }
  | { kind: 'error'; message: string };

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

const percentile = nearestRank;

// ---------------------------------------------------------------------------------------------
// The load generator (a child process)
// ---------------------------------------------------------------------------------------------

async function runGenerator(urls: readonly [string, string], settings: Settings): Promise<void> {
  const report = (message: GeneratorReport): void => {
    process.send!(message);
  };
  const onNode: [SignalClient[], SignalClient[]] = [[], []];
  const pending = new Map<number, number>();
  const latencies: number[] = [];
  let failed = 0;
  const failures: Record<string, number> = {};
  const onCommand = async (message: GeneratorCommand): Promise<void> => {
    if (message.cmd === 'connect') {
      const started = performance.now();
      const batchSize = 200;
      for (let offset = 0; offset < settings.connections; offset += batchSize) {
        const batch = Array.from({ length: Math.min(batchSize, settings.connections - offset) }, (_, i) => {
          const index = offset + i;
          const node = index % 2;
          const userId = `u${index}`;
          const client = new SignalClient({
            url: urls[node]!,
            userId,
            token: mintUserToken(TOKEN_KEY, userId, Math.floor(Date.now() / 1000) + 3600),
            createWebSocket: (u) => new WebSocket(u, { perMessageDeflate: false }),
            reconnect: false,
            requestTimeoutMs: 60_000,
          });
          client.events.on('c2c.message', (event) => {
            const seq = (event.body as { seq: number }).seq;
            const sentAt = pending.get(seq);
            if (sentAt === undefined) return;
            pending.delete(seq);
            latencies.push(performance.now() - sentAt);
          });
          return client.connect().then(
            () => onNode[node]!.push(client),
            (error: unknown) => {
              failed += 1;
              const code = (error as { code?: string }).code ?? (error instanceof Error ? error.message.slice(0, 60) : String(error));
              failures[code] = (failures[code] ?? 0) + 1;
            },
          );
        });
        await Promise.all(batch);
      }
      report({ kind: 'connected', connections: onNode[0].length + onNode[1].length, failed, failures, ms: performance.now() - started });
      return;
    }
    if (message.cmd === 'exit') {
      for (const client of [...onNode[0], ...onNode[1]]) client.close();
      setTimeout(() => process.exit(0), 200);
      return;
    }
    const warmup = message.cmd === 'warmup';
    const total = Math.round(settings.rate * (warmup ? 1 : settings.seconds));
    latencies.length = 0;
    pending.clear();
    const tickMs = 5;
    const perTick = Math.max(1, Math.round((settings.rate * tickMs) / 1000));
    let seq = warmup ? 1_000_000_000 : 0;
    const end = seq + total;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        for (let i = 0; i < perTick && seq < end; i++) {
          // Alternate the direction; sender and recipient are always on different nodes.
          const fromNode = seq % 2;
          const senders = onNode[fromNode]!;
          const recipients = onNode[1 - fromNode]!;
          const from = senders[Math.floor(Math.random() * senders.length)]!;
          const to = recipients[Math.floor(Math.random() * recipients.length)]!;
          seq += 1;
          pending.set(seq, performance.now());
          from.sendC2C(to.userId, { seq }).catch(() => undefined);
        }
        if (seq >= end) {
          clearInterval(timer);
          resolve();
        }
      }, tickMs);
    });
    const deadline = performance.now() + 5000;
    while (pending.size > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (warmup) report({ kind: 'warm' });
    else report({ kind: 'measured', samples: latencies.length, lost: pending.size, latenciesMs: latencies });
  };
  process.on('message', (message: GeneratorCommand) => {
    onCommand(message).catch((error: unknown) => report({ kind: 'error', message: String(error) }));
  });
}

// ---------------------------------------------------------------------------------------------
// The parent: Redis, two nodes, the generator, the figures
// ---------------------------------------------------------------------------------------------

/** Spawns `node …args` with the open-file limit raised to the hard limit (10 000 sockets need it). */
function spawnNode(args: readonly string[], ipc: boolean): ChildProcess {
  return spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', process.execPath, '--import', TSX_LOADER, ...args], {
    stdio: ipc ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
}

function waitForOutput(child: ChildProcess, text: string, what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`bench: no ${what} within ${timeoutMs} ms: ${output.slice(-500)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes(text)) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench: ${what} never came (exit ${code}): ${output.slice(-500)}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? round(Number(match[1]) / 1024, 1) : NaN;
  } catch {
    return NaN;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** Runs the bench and returns its figures (prints progress through `log`). */
export async function runClusterSignalBench(options: ClusterSignalBenchOptions = {}): Promise<ClusterSignalFigures> {
  const settings: Settings = {
    connections: Math.max(2, Math.min(50_000, Math.floor(options.connections ?? 10_000))),
    rate: Math.max(1, options.rate ?? 1000),
    seconds: Math.max(1, Math.min(60, options.seconds ?? 5)),
  };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const children: ChildProcess[] = [];
  const killer = setTimeout(() => {
    log(`bench: over ${HARD_TIME_LIMIT_MS} ms, killing every child`);
    for (const child of children) child.kill('SIGKILL');
  }, HARD_TIME_LIMIT_MS);
  killer.unref();
  try {
    const redisPort = await freePort();
    const redis = spawn(REDIS_SERVER, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(redis);
    await waitForOutput(redis, 'Ready to accept connections', 'redis-server', 20_000);
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    const nodes = ['a', 'b'].map((name) => {
      const node = spawnNode([CLI, '--http-port', '0', '--rtmp-port', '0', '--redis-url', redisUrl, '--node-id', name, '--token-key', TOKEN_KEY, '--max-connections-per-ip', '1000000', '--log-level', 'warn'], false);
      children.push(node);
      return node;
    });
    const readyLines = await Promise.all(nodes.map((node) => waitForOutput(node, '"ready"', 'node ready line', 60_000)));
    const urls = readyLines.map((output) => {
      const ready = JSON.parse(output.split('\n').find((line) => line.includes('"ready"'))!) as { httpPort: number };
      return `ws://127.0.0.1:${ready.httpPort}/signal`;
    }) as [string, string];
    log(`bench: redis ${redisUrl}, nodes ${urls.join(' ')}`);

    const generator = spawnNode([SELF, '--generator', urls[0], urls[1], String(settings.connections), String(settings.rate), String(settings.seconds)], true);
    children.push(generator);
    const generatorExited = new Promise<void>((resolve) => generator.once('exit', () => resolve()));
    const ask = <K extends GeneratorReport['kind']>(cmd: GeneratorCommand['cmd'], kind: K): Promise<Extract<GeneratorReport, { kind: K }>> =>
      new Promise((resolve, reject) => {
        const onExit = (): void => reject(new Error('bench: the load generator exited'));
        const onMessage = (message: GeneratorReport): void => {
          if (message.kind !== kind && message.kind !== 'error') return;
          generator.off('message', onMessage);
          generator.off('exit', onExit);
          if (message.kind === 'error') reject(new Error(message.message));
          else resolve(message as Extract<GeneratorReport, { kind: K }>);
        };
        generator.on('message', onMessage);
        generator.once('exit', onExit);
        generator.send({ cmd });
      });

    log(`bench: opening ${settings.connections} connections, half on each node …`);
    const connected = await ask('connect', 'connected');
    log(`bench: ${connected.connections} connected (${connected.failed} failed: ${JSON.stringify(connected.failures)}) in ${round(connected.ms / 1000)} s`);
    const nodeRssMiB = nodes.map((node) => rssMiB(node.pid));
    await ask('warmup', 'warm');
    log(`bench: C2C across nodes at ${settings.rate} msg/s for ${settings.seconds} s …`);
    const measured = await ask('measure', 'measured');
    const sorted = measured.latenciesMs.sort((a, b) => a - b);
    const figures: ClusterSignalFigures = {
      bench: 'cluster-signal',
      nodes: 2,
      connections: connected.connections,
      connectFailed: connected.failed,
      connectSeconds: round(connected.ms / 1000),
      c2cAcrossNodes: {
        ratePerSec: settings.rate,
        seconds: settings.seconds,
        samples: measured.samples,
        lost: measured.lost,
        p50Ms: round(percentile(sorted, 50), 3),
        p99Ms: round(percentile(sorted, 99), 3),
        maxMs: round(sorted[sorted.length - 1] ?? NaN, 3),
      },
      nodeRssMiB,
      redisRssMiB: rssMiB(redis.pid),
      loadAverage1m: round(loadavg()[0]!, 1),
    };
    generator.send({ cmd: 'exit' });
    await Promise.race([generatorExited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    return figures;
  } finally {
    clearTimeout(killer);
    // Nodes first (they leave the Redis store), then Redis.
    await Promise.all(children.slice(1).map((child) => stopChild(child)));
    if (children[0]) await stopChild(children[0]);
  }
}

// ---------------------------------------------------------------------------------------------

function numberAfter(argv: readonly string[], name: string): number | undefined {
  const index = argv.indexOf(`--${name}`);
  if (index < 0) return undefined;
  const value = Number(argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === SELF) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--generator') {
    void runGenerator([argv[1]!, argv[2]!], { connections: Number(argv[3]), rate: Number(argv[4]), seconds: Number(argv[5]) });
  } else {
    const options: { connections?: number; rate?: number; seconds?: number } = {};
    const connections = numberAfter(argv, 'connections');
    const rate = numberAfter(argv, 'rate');
    const seconds = numberAfter(argv, 'seconds');
    if (connections !== undefined) options.connections = connections;
    if (rate !== undefined) options.rate = rate;
    if (seconds !== undefined) options.seconds = seconds;
    runClusterSignalBench(options).then(
      (figures) => {
        console.log(JSON.stringify(figures));
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  }
}
