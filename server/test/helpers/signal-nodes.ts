// Real processes for the restore and cluster tests: the server CLI (`tsx server/cli.ts`) as a
// signalling node, and Debian's `redis-server` on a free port with no persistence. Both are
// children of the test, stopped (or killed) by PID.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { SignalClient, type SignalClientOptions } from '../../../common/signal/signal-client';
import { mintUserToken } from '../../signal/user-sig';
import { startChild, waitFor, type Child } from './media';

const require = createRequire(import.meta.url);
/** tsx as a loader of this very process (not its CLI, which runs a second process a kill would miss). */
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;
const CLI = path.resolve(import.meta.dirname, '..', '..', 'cli.ts');
export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';
export const NODE_TOKEN_KEY = 'cluster-test-token-key-0123456789';

/** Why redis-server cannot run here, or undefined when it can. */
export function redisServerMissing(): string | undefined {
  return existsSync(REDIS_SERVER) ? undefined : `redis-server is not installed (${REDIS_SERVER}; apt-get install redis-server)`;
}

/** A hook decision a node logged (`{action} refused`, its JSON log lines on stderr at --log-level info). */
export interface LoggedRefusal {
  readonly dialect: string;
  readonly node: string;
  readonly action: string;
  readonly streamCode: string;
  readonly code: string;
}

/** The hook refusals in a node's decision log so far. */
export function loggedRefusals(node: ServerNode): LoggedRefusal[] {
  return node.child.stderr.split('\n').flatMap((line) => {
    if (!line.includes(' refused"')) return [];
    try {
      const entry = JSON.parse(line) as Partial<LoggedRefusal> & { msg?: string };
      return entry.dialect !== undefined && entry.msg?.endsWith(' refused') ? [entry as LoggedRefusal] : [];
    } catch {
      return [];
    }
  });
}

export interface ServerNode {
  readonly child: Child;
  readonly httpPort: number;
  readonly wsUrl: string;
}

/**
 * Starts the server CLI; resolves on its ready line (it has restored its state or joined Redis by
 * then). Its clients only signal (nobody pushes media), so the first-publish deadline of accepted
 * guests is off (`--link-publish-deadline-sec 0`): a slow machine must not end their links.
 * signal-origin.test.ts tests the deadline with real pushes.
 */
export async function startServerNode(args: readonly string[]): Promise<ServerNode> {
  const child = startChild(process.execPath, ['--import', TSX_LOADER, CLI, '--rtmp-port', '0', '--token-key', NODE_TOKEN_KEY, '--log-level', 'warn', '--link-publish-deadline-sec', '0', ...args]);
  await waitFor(() => child.stdout.includes('"ready"') || child.process.exitCode !== null, 'the server ready line', 60_000);
  if (!child.stdout.includes('"ready"')) throw new Error(`the server did not start: ${child.stderr}`);
  const ready = JSON.parse(child.stdout.split('\n').find((line) => line.includes('"ready"'))!) as { httpPort: number };
  return { child, httpPort: ready.httpPort, wsUrl: `ws://127.0.0.1:${ready.httpPort}/signal` };
}

/** A port nobody listens on right now (for redis-server, which cannot pick one itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

export interface RedisChild {
  readonly child: Child;
  readonly url: string;
}

/** Starts redis-server on 127.0.0.1 with no persistence; resolves once it accepts connections. */
export async function startRedis(): Promise<RedisChild> {
  const port = await freePort();
  const child = startChild(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no']);
  await waitFor(() => child.stdout.includes('Ready to accept connections') || child.process.exitCode !== null, 'redis-server to accept connections', 20_000);
  if (child.process.exitCode !== null) throw new Error(`redis-server did not start: ${child.stdout}${child.stderr}`);
  return { child, url: `redis://127.0.0.1:${port}` };
}

/** A SignalClient with a token from the nodes' shared token key; reconnects quickly. */
export async function nodeClient(url: string, userId: string, overrides: Partial<SignalClientOptions> = {}): Promise<SignalClient> {
  const client = new SignalClient({
    url,
    userId,
    token: mintUserToken(NODE_TOKEN_KEY, userId, Math.floor(Date.now() / 1000) + 3600),
    createWebSocket: (u) => new WebSocket(u),
    reconnect: { initialMs: 50, maxMs: 400 },
    requestTimeoutMs: 15_000,
    ...overrides,
  });
  await client.connect();
  return client;
}
