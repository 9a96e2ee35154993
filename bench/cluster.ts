// npm run bench:cluster — the cluster of docs/deploy.md on this machine: Debian's nginx-rtmp as the
// origin and one edge pulling from it, a signalling node (--origin external) answering their hooks,
// one Redis. Three figures, the last line printed is one JSON object of them:
// 1. viewers through the nginx edge before p99 transit passes 100 ms: a raw RTMP publisher sends
//    the stamped stream of bench:origin (bench/helpers/stamped-stream.ts) to the origin; RTMP
//    viewers on the edge, ramped 10, 25, 50, 100, 200, 400 (cap), up to 24 of them measuring;
//    the ramp stops at the first step over 100 ms (or with dropped viewers).
// 2. C2C p99 across two signalling nodes at 10 000 connections (runClusterSignalBench).
// 3. hook decision p99: N on_publish / on_play HTTP hook calls (nginx-rtmp forms) against a node.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sign } from '../common';
import { nginxForm } from '../server/test/helpers/hook-calls';
import { nginxRtmpMissing, startNginxRtmp } from '../server/test/helpers/nginx-rtmp';
import { TEST_KEY } from '../server/test/helpers/media';
import { RawRtmpClient } from '../server/test/helpers/raw-rtmp-client';
import { freePort, startRedis, startServerNode } from '../server/test/helpers/signal-nodes';
import { runClusterSignalBench } from './cluster-signal';
import { StampedPublisher, stampedTransitMs } from './helpers/stamped-stream';
import { nearestRank } from './helpers/percentile';
import { rampViewers, type RampStep } from './helpers/viewer-ramp';

const STEPS = [10, 25, 50, 100, 200, 400];
const PROBES = 24;
const P99_LIMIT_MS = 100;
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 4000);
const HOOK_CALLS = Number(process.env.BENCH_HOOK_CALLS ?? 2000);
const HOOK_CONCURRENCY = 8;
const C2C_CONNECTIONS = Number(process.env.BENCH_C2C_CONNECTIONS ?? 10_000);
const HOOK_TOKEN = 'bench-cluster-hook-token';
const RELAY_MARKER = 'bench-edge-relay';
const STREAM = 'bench';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const round = (ms: number): number => Math.round(ms * 10) / 10;

function percentile(sorted: Float64Array, p: number): number {
  return round(nearestRank(sorted, p));
}

/** An RTMP viewer on the edge; a probe records the transit of each stamped packet. */
class EdgeViewer {
  gotMedia = false;
  closed = false;
  readonly client: RawRtmpClient;

  constructor(port: number, probe: ((ms: number) => void) | undefined) {
    this.client = new RawRtmpClient({ host: '127.0.0.1', port });
    this.client.on('close', () => (this.closed = true));
    this.client.on('socket-error', () => undefined);
    this.client.on('media', (message: { type: number; payload: Buffer }) => {
      this.gotMedia = true;
      if (!probe) return;
      const ms = stampedTransitMs(message.type, message.payload);
      if (ms !== undefined) probe(ms);
    });
    void this.client
      .open()
      .then(() => this.client.play(STREAM))
      .catch(() => (this.closed = true));
  }

  close(): void {
    void this.client.destroy();
  }
}

async function edgeFanOut(originPort: number, edgePort: number): Promise<{ steps: RampStep[]; viewersUnder100ms: number; firstStepOverLimit: number | null }> {
  const publisherClient = new RawRtmpClient({ host: '127.0.0.1', port: originPort });
  await publisherClient.open();
  const signature = sign(TEST_KEY, STREAM, Math.floor(Date.now() / 1000) + 3600);
  const status = await publisherClient.publish(`${STREAM}?txSecret=${signature.txSecret}&txTime=${signature.txTime}`);
  if (status.code !== 'NetStream.Publish.Start') throw new Error(`publish refused: ${status.description}`);
  const publisher = new StampedPublisher(publisherClient);
  publisher.start();
  try {
    const ramp = await rampViewers({
      steps: STEPS,
      p99LimitMs: P99_LIMIT_MS,
      measureMs: MEASURE_MS,
      deadlineMs: 180_000,
      connectTimeoutMs: 20_000,
      batch: 25,
      addViewer: (index, probe) => new EdgeViewer(edgePort, index < PROBES ? probe : undefined),
      describe: (step) =>
        `edge viewers ${String(step.viewers).padStart(4)}: p50 ${step.p50} ms, p99 ${step.p99} ms, max ${step.max} ms (${step.samples} samples), dropped ${step.viewersDropped}`,
    });
    return { steps: ramp.steps, viewersUnder100ms: ramp.viewersWithinLimit, firstStepOverLimit: ramp.firstStepOverLimit };
  } finally {
    publisher.stop();
    await publisherClient.destroy();
  }
}

/** N nginx-rtmp hook calls (half signed on_publish + publish_done, half audience on_play) against a node. */
async function hookDecisions(httpPort: number): Promise<{ calls: number; refused: number; p50Ms: number; p99Ms: number }> {
  const url = `http://127.0.0.1:${httpPort}/hooks/nginx-rtmp/bench-origin?token=${HOOK_TOKEN}`;
  const signature = sign(TEST_KEY, 'hookbench', Math.floor(Date.now() / 1000) + 3600);
  const times: number[] = [];
  let refused = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < HOOK_CALLS) {
      const i = next++;
      const body =
        i % 2 === 0
          ? nginxForm({ call: 'publish', name: `hookbench${i}`, clientId: i, args: `txSecret=${sign(TEST_KEY, `hookbench${i}`, Number.parseInt(signature.txTime, 16)).txSecret}&txTime=${signature.txTime}` })
          : nginxForm({ call: 'play', name: 'hookbench0', clientId: i });
      const started = performance.now();
      const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
      await response.arrayBuffer();
      times.push(performance.now() - started);
      if (response.status !== 200) refused += 1;
    }
  };
  await Promise.all(Array.from({ length: HOOK_CONCURRENCY }, worker));
  const sorted = Float64Array.from(times).sort();
  return { calls: times.length, refused, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

async function main(): Promise<void> {
  const missing = nginxRtmpMissing();
  if (missing) throw new Error(missing);
  const loadAtStart = Math.round(os.loadavg()[0]! * 100) / 100;
  log(`bench:cluster — ${os.cpus().length} cores, node ${process.version}, load average ${loadAtStart}`);
  const redis = await startRedis();
  const [originPort, edgePort] = [await freePort(), await freePort()];
  const node = await startServerNode([
    '--key', TEST_KEY, '--http-port', '0', '--redis-url', redis.url, '--node-id', 'bench', '--origin', 'external', '--media-profile', 'cluster',
    '--push-url', `rtmp://127.0.0.1:${originPort}`, '--play-flv-url', `http://127.0.0.1:${edgePort}`,
    '--hook-token', HOOK_TOKEN, '--hook-relay-page-url', RELAY_MARKER,
  ]);
  const hooksUrl = `http://127.0.0.1:${node.httpPort}`;
  const origin = await startNginxRtmp(originPort, { role: 'origin', node: 'origin-1', hooksUrl, hookToken: HOOK_TOKEN });
  const edge = await startNginxRtmp(edgePort, { role: 'edge', node: 'edge-1', hooksUrl, hookToken: HOOK_TOKEN, origins: [`127.0.0.1:${originPort}`], relayPageUrl: RELAY_MARKER });
  let fanOut: Awaited<ReturnType<typeof edgeFanOut>>;
  let hooks: Awaited<ReturnType<typeof hookDecisions>>;
  try {
    fanOut = await edgeFanOut(originPort, edgePort);
    hooks = await hookDecisions(node.httpPort);
    log(`hook decisions: ${hooks.calls} calls, p50 ${hooks.p50Ms} ms, p99 ${hooks.p99Ms} ms, refused ${hooks.refused}`);
  } finally {
    await Promise.all([edge.stop(), origin.stop()]);
    await node.child.stop();
    await redis.child.stop();
  }
  const c2c = await runClusterSignalBench({ connections: C2C_CONNECTIONS, log });
  const result = {
    bench: 'cluster',
    cores: os.cpus().length,
    loadAverage1mAtStart: loadAtStart,
    edgeViewersWithP99Under100ms: fanOut.viewersUnder100ms,
    edgeFirstStepOverLimit: fanOut.firstStepOverLimit,
    edgeSteps: fanOut.steps,
    c2cAcrossNodes: { connections: c2c.connections, connectFailed: c2c.connectFailed, p50Ms: c2c.c2cAcrossNodes.p50Ms, p99Ms: c2c.c2cAcrossNodes.p99Ms, lost: c2c.c2cAcrossNodes.lost },
    hookDecision: hooks,
    loadAverage1mAtEnd: Math.round(os.loadavg()[0]! * 100) / 100,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:cluster failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
