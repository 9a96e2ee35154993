// Signalling benchmark: how many WebSocket connections one signal service holds, the C2C delivery
// latency at that load, and the server's memory per connection. Everything on 127.0.0.1.
//
//   npm run bench:signal [-- --connections 10000 --rate 2000 --seconds 5]
//
// The parent process runs the real SignalService on an http.Server; a child process (the load
// generator) opens the connections with the real SignalClient over `ws`, then sends C2C messages
// at a fixed rate between random pairs and measures send → receive time. The last line of output
// is one JSON object with the figures. Bounded: at most 200 000 connections, a hard time limit,
// the child is killed by PID if it overruns.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket } from 'ws';
import { SignalClient } from '../common/signal/signal-client';
import { SignalConnection } from '../server/signal/signal-connection';
import { SignalService } from '../server/signal/signal-service';
import { mintUserToken } from '../server/signal/user-sig';
import { nearestRank } from './helpers/percentile';

const TOKEN_KEY = 'bench-signal-token-key-0123456789';
const HARD_TIME_LIMIT_MS = 240_000;

interface Args {
  connections: number;
  rate: number;
  seconds: number;
  batch: number;
}

function parseArgs(argv: readonly string[]): Args {
  const get = (name: string, fallback: number): number => {
    const index = argv.indexOf(`--${name}`);
    const value = index >= 0 ? Number(argv[index + 1]) : fallback;
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  return {
    connections: Math.min(200_000, Math.floor(get('connections', 10_000))),
    rate: get('rate', 2000),
    seconds: Math.min(60, get('seconds', 5)),
    batch: Math.floor(get('batch', 250)),
  };
}

// ---------------------------------------------------------------------------------------------
// Child: the load generator
// ---------------------------------------------------------------------------------------------

type ParentMessage = { cmd: 'connect' | 'warmup' | 'measure' | 'exit' };
type ChildMessage =
  | { kind: 'connected'; connections: number; failed: number; ms: number }
  | { kind: 'measured'; samples: number; lost: number; latenciesMs: number[]; cpuPercent: number }
  | { kind: 'warm' }
  | { kind: 'error'; message: string };

async function runChild(url: string, args: Args): Promise<void> {
  const send = (message: ChildMessage): void => {
    process.send!(message);
  };
  const clients: SignalClient[] = [];
  const pending = new Map<number, number>();
  const latencies: number[] = [];
  let failed = 0;

  const onMessage = async (message: ParentMessage): Promise<void> => {
    if (message.cmd === 'connect') {
      const started = performance.now();
      for (let offset = 0; offset < args.connections; offset += args.batch) {
        const batch = Array.from({ length: Math.min(args.batch, args.connections - offset) }, (_, i) => {
          const userId = `u${offset + i}`;
          const client = new SignalClient({
            url,
            userId,
            token: mintUserToken(TOKEN_KEY, userId, Math.floor(Date.now() / 1000) + 3600),
            createWebSocket: (u) => new WebSocket(u, { perMessageDeflate: false }),
            reconnect: false,
            requestTimeoutMs: 30_000,
          });
          client.events.on('c2c.message', (event) => {
            const seq = (event.body as { seq: number }).seq;
            const sentAt = pending.get(seq);
            if (sentAt === undefined) return;
            pending.delete(seq);
            latencies.push(performance.now() - sentAt);
          });
          return client.connect().then(
            () => clients.push(client),
            () => {
              failed += 1;
            },
          );
        });
        await Promise.all(batch);
      }
      send({ kind: 'connected', connections: clients.length, failed, ms: performance.now() - started });
    } else if (message.cmd === 'measure' || message.cmd === 'warmup') {
      // Warm-up: one second at the same rate (JIT, buffers), not counted.
      const total = Math.round(args.rate * (message.cmd === 'warmup' ? 1 : args.seconds));
      latencies.length = 0;
      pending.clear();
      const tickMs = 5;
      const perTick = Math.max(1, Math.round((args.rate * tickMs) / 1000));
      const cpuStart = process.cpuUsage();
      const wallStart = performance.now();
      let seq = message.cmd === 'warmup' ? 1_000_000_000 : 0;
      const end = seq + total;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          for (let i = 0; i < perTick && seq < end; i++) {
            const from = clients[Math.floor(Math.random() * clients.length)]!;
            let to = clients[Math.floor(Math.random() * clients.length)]!;
            if (to === from) to = clients[(clients.indexOf(from) + 1) % clients.length]!;
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
      // Wait (bounded) for the last deliveries.
      const deadline = performance.now() + 5000;
      while (pending.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (message.cmd === 'warmup') send({ kind: 'warm' });
      else {
        const cpu = process.cpuUsage(cpuStart);
        const cpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - wallStart)) * 100;
        send({ kind: 'measured', samples: latencies.length, lost: pending.size, latenciesMs: latencies, cpuPercent });
      }
    } else {
      for (const client of clients) client.close();
      setTimeout(() => process.exit(0), 200);
    }
  };
  process.on('message', (message: ParentMessage) => {
    onMessage(message).catch((error: unknown) => send({ kind: 'error', message: String(error) }));
  });
}

// ---------------------------------------------------------------------------------------------
// Parent: the server and the report
// ---------------------------------------------------------------------------------------------

const percentile = nearestRank;

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

function collectGarbage(): void {
  setFlagsFromString('--expose_gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

async function runParent(args: Args): Promise<void> {
  const server = http.createServer();
  const issuer = {
    pushUrl: ({ streamCode }: { streamCode: string }) => `rtmp://127.0.0.1/live/${streamCode}`,
    linkPlayUrls: ({ streamCode }: { streamCode: string }) => ({ rtmp: `rtmp://127.0.0.1/live/${streamCode}`, httpFlv: '', wsFlv: '' }),
    audienceUrl: (streamCode: string) => `http://127.0.0.1/live/${streamCode}.flv`,
  };
  const service = new SignalService(
    {
      tokenKey: TOKEN_KEY,
      rateLimit: { burst: 1000, perSecond: 1000 },
      // every connection comes from 127.0.0.1: the per-address limits would cap the load itself
      limits: { maxConnectionsPerIp: 1_000_000, ipRate: { burst: 1_000_000, perSecond: 1_000_000 } },
      helloTimeoutMs: 60_000,
    },
    { issuer },
  );
  const attachment = service.attachToHttpServer(server);
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => resolve()));
  const port = (server.address() as AddressInfo).port;

  // Time the server's synchronous handling of each incoming message (parse, validate, route, send).
  const handleMs: number[] = [];
  let timing = false;
  const proto = SignalConnection.prototype as unknown as { onMessage: (...args: unknown[]) => void };
  const original = proto.onMessage;
  proto.onMessage = function (this: unknown, ...args: unknown[]) {
    if (!timing) return original.apply(this, args);
    const start = performance.now();
    original.apply(this, args);
    handleMs.push(performance.now() - start);
  };

  collectGarbage();
  const before = process.memoryUsage();

  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child', `ws://127.0.0.1:${port}/signal`, ...process.argv.slice(2)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const killer = setTimeout(() => {
    console.error(`bench: over ${HARD_TIME_LIMIT_MS} ms, killing the load generator (pid ${child.pid})`);
    child.kill('SIGKILL');
    process.exit(1);
  }, HARD_TIME_LIMIT_MS);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ask = <K extends ChildMessage['kind']>(cmd: ParentMessage['cmd'], kind: K): Promise<Extract<ChildMessage, { kind: K }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: ChildMessage): void => {
        child.off('message', onMessage);
        if (message.kind === 'error') reject(new Error(message.message));
        else if (message.kind === kind) resolve(message as Extract<ChildMessage, { kind: K }>);
      };
      child.on('message', onMessage);
      child.send({ cmd });
    });

  try {
    console.error(`bench: opening ${args.connections} connections to ws://127.0.0.1:${port}/signal …`);
    const connected = await ask('connect', 'connected');
    console.error(`bench: ${connected.connections} connected (${connected.failed} failed) in ${round(connected.ms / 1000)} s; server sees ${service.connectionCount}`);
    collectGarbage();
    const held = process.memoryUsage();
    const connections = service.hub.connectionCount;
    await ask('warmup', 'warm');
    console.error(`bench: C2C at ${args.rate} msg/s for ${args.seconds} s …`);
    timing = true;
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const measured = await ask('measure', 'measured');
    timing = false;
    const cpu = process.cpuUsage(cpuBefore);
    const handled = handleMs.sort((a, b) => a - b);
    const serverCpuPercent = round(((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 100, 1);
    const sorted = measured.latenciesMs.sort((a, b) => a - b);
    const perConn = (bytes: number): number => round(bytes / Math.max(1, connections) / 1024);
    const result = {
      bench: 'signal',
      connections,
      connectFailed: connected.failed,
      connectSeconds: round(connected.ms / 1000),
      c2c: {
        ratePerSec: args.rate,
        seconds: args.seconds,
        samples: measured.samples,
        lost: measured.lost,
        p50Ms: round(percentile(sorted, 50), 3),
        p99Ms: round(percentile(sorted, 99), 3),
        maxMs: round(sorted[sorted.length - 1] ?? NaN, 3),
      },
      memoryPerConnectionKiB: {
        rss: perConn(held.rss - before.rss),
        heap: perConn(held.heapUsed - before.heapUsed),
        external: perConn(held.external + held.arrayBuffers - before.external - before.arrayBuffers),
      },
      serverRssMiB: round(held.rss / 1024 / 1024, 1),
      serverCpuPercentDuringC2C: serverCpuPercent,
      loadGeneratorCpuPercentDuringC2C: round(measured.cpuPercent, 1),
      /** The server's own synchronous work per received message (parse, zod, route, send), ms. */
      serverHandleMs: { p50: round(percentile(handled, 50), 4), p99: round(percentile(handled, 99), 4) },
      /** The machine's 1-minute load average at the end (2 cores shared with other work). */
      loadAverage1m: round(loadavg()[0]!, 1),
    };
    child.send({ cmd: 'exit' });
    await exited;
    console.log(JSON.stringify(result));
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill('SIGKILL');
    attachment.dispose();
    await service.close();
    server.closeAllConnections();
    server.close();
  }
}

// ---------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  void runChild(argv[1]!, parseArgs(argv.slice(2)));
} else if (process.env.SIGNAL_BENCH_ULIMIT !== '1' && process.platform !== 'win32') {
  // Raise the open-file limit to the hard limit for this process and the load generator, then
  // run again inside that shell.
  const self = spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...argv], {
    stdio: 'inherit',
    env: { ...process.env, SIGNAL_BENCH_ULIMIT: '1' },
  });
  self.on('exit', (code) => process.exit(code ?? 1));
} else {
  runParent(parseArgs(argv)).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
