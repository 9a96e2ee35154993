// The Redis signal store: several signalling nodes share one state. Every state change is appended
// to one Redis stream (the log); every node reads the log and applies each command in the same
// order to its own copy of the hub, with the log's clock (log-clock.ts) and a random source seeded
// by the command, so all copies agree. Each node writes only to its own sockets; C2C, which changes
// no state, goes straight to the recipient's nodes through Redis pub/sub.
//
// Keys (all under `linkmic:signal:`): `log` (stream, trimmed to ~maxLogLength, TTL), `snapshot`
// (the hub's state at a log position, rewritten every few seconds, TTL), `node:{id}` (liveness,
// refreshed every heartbeat, a short TTL). A node whose liveness key expired is declared down by the
// others (`node-down`): its users' connections are gone, their reconnect grace starts, and clients
// that reconnect to another node within it continue. A starting node restores the snapshot and
// replays the log after it.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { LinkMicError } from '../../common/errors';
import { streamCodeSchema, userIdSchema } from '../../common/layout';
import { clientMessageSchema } from '../../common/signal/messages';
import type { Clock } from './clock';
import type { SignalLogger } from './deps';
import { LogClock, seededRandom32 } from './log-clock';
import { PeerDirectory } from './peer-directory';
import { hubSnapshotSchema, peerRefSchema, type PeerRef } from './signal-snapshot';
import type { Peer } from './signal-state';
import type { SignalCommand, SignalStore, SignalStoreHost } from './signal-store';

export interface RedisSignalStoreOptions {
  /** `redis://host:port[/db]`. */
  readonly url: string;
  /** This node's name (default: the host name); a random suffix makes each process distinct. */
  readonly nodeName?: string;
  readonly logger: SignalLogger;
  /** Lifetime of the snapshot and the log after the last write (default 1 h). */
  readonly stateTtlSec?: number;
  /** How often a node rewrites the snapshot when the state changed (default 2 s). */
  readonly snapshotEveryMs?: number;
  /** Liveness refresh (default 1 s) and the liveness key's TTL (default 5 s). */
  readonly heartbeatMs?: number;
  readonly nodeTtlMs?: number;
  /** Entries kept in the log (approximately; default 100 000). */
  readonly maxLogLength?: number;
  /** A command not applied within this time fails with TIMEOUT (default 10 s). */
  readonly commandTimeoutMs?: number;
}

const PREFIX = 'linkmic:signal:';
const LOG_KEY = `${PREFIX}log`;
const SNAPSHOT_KEY = `${PREFIX}snapshot`;
const nodeKey = (node: string): string => `${PREFIX}node:${node}`;
const deliverChannel = (node: string): string => `${PREFIX}deliver:${node}`;

const commandSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('attach'), peer: peerRefSchema, userId: userIdSchema }),
  z.object({ op: z.literal('detach'), peer: peerRefSchema }),
  z.object({ op: z.literal('request'), userId: userIdSchema, message: clientMessageSchema }),
  z.object({ op: z.literal('published'), streamCode: streamCodeSchema }),
  z.object({ op: z.literal('unpublished'), streamCode: streamCodeSchema }),
  z.object({ op: z.literal('node-down'), node: z.string().min(1).max(128) }),
  z.object({ op: z.literal('tick') }),
]);
const entrySchema = z.object({
  id: z.string().min(1).max(32),
  node: z.string().min(1).max(128),
  at: z.number().int().nonnegative(),
  seed: z.number().int().nonnegative(),
  command: commandSchema,
});
type LogEntry = z.infer<typeof entrySchema>;
const savedSchema = z.object({ id: z.string().regex(/^\d+-\d+$/), snapshot: hubSnapshotSchema });
const xreadSchema = z.array(z.tuple([z.string(), z.array(z.tuple([z.string(), z.array(z.string())]))])).nullable();
const deliverySchema = z.object({ items: z.array(z.tuple([z.string(), z.string()])) });

interface Waiting {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

export class RedisSignalStore implements SignalStore {
  readonly kind = 'redis' as const;
  readonly nodeId: string;
  private readonly options: Required<Omit<RedisSignalStoreOptions, 'nodeName' | 'logger'>>;
  private readonly logger: SignalLogger;
  private readonly commands: Redis;
  private readonly reader: Redis;
  private readonly subscriber: Redis;
  private readonly clock = new LogClock(() => this.runQuietly({ op: 'tick' }));
  private random: () => number = () => 0;
  private baseRandom: () => number = () => 0;
  private host: SignalStoreHost | undefined;
  private directory: PeerDirectory | undefined;
  private readonly waiting = new Map<string, Waiting>();
  private sequence = 0;
  private lastId = '0-0';
  private applied = 0;
  private savedAt = 0;
  private reading: Promise<void> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly reportedDown = new Set<string>();
  private relaying: Map<string, [string, string][]> | undefined;
  private closing = false;
  private closed = false;

  constructor(options: RedisSignalStoreOptions) {
    this.nodeId = `${options.nodeName ?? hostname()}~${randomBytes(3).toString('hex')}`;
    this.logger = options.logger;
    this.options = {
      url: options.url,
      stateTtlSec: options.stateTtlSec ?? 3600,
      snapshotEveryMs: options.snapshotEveryMs ?? 2000,
      heartbeatMs: options.heartbeatMs ?? 1000,
      nodeTtlMs: options.nodeTtlMs ?? 5000,
      maxLogLength: options.maxLogLength ?? 100_000,
      commandTimeoutMs: options.commandTimeoutMs ?? 10_000,
    };
    const connect = (): Redis => {
      const client = new Redis(options.url, { lazyConnect: true, protocol: 2, maxRetriesPerRequest: 2, connectTimeout: 5000 });
      client.on('error', (error: Error) => this.logger.warn('signal: redis connection error', { node: this.nodeId, error: error.message }));
      return client;
    };
    this.commands = connect();
    this.reader = connect();
    this.subscriber = connect();
  }

  hubClock(_base: Clock): Clock {
    return this.clock;
  }

  hubRandom(base: () => number): () => number {
    this.baseRandom = base;
    this.random = base;
    return () => this.random();
  }

  async open(host: SignalStoreHost): Promise<void> {
    this.host = host;
    this.directory = new PeerDirectory(this.nodeId, (connectionId) => host.localConnection(connectionId), (ref, text) => this.relay(ref, text));
    try {
      await Promise.all([this.commands.connect(), this.reader.connect(), this.subscriber.connect()]);
      this.subscriber.on('message', (_channel: string, text: string) => this.deliver(text));
      await this.subscriber.subscribe(deliverChannel(this.nodeId));
      await this.beat();
      await this.restore(host);
      await this.catchUp();
    } catch (error) {
      await this.disconnect();
      throw new LinkMicError('SERVER_UNREACHABLE', `signal store: Redis at ${this.options.url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    this.reading = this.readLoop();
    this.heartbeat = setInterval(() => void this.onHeartbeat(), this.options.heartbeatMs);
    this.heartbeat.unref();
    this.logger.info('signal: joined the Redis store', { node: this.nodeId, position: this.lastId });
  }

  run(command: SignalCommand): Promise<unknown> {
    if (this.closed) return Promise.reject(new LinkMicError('SERVER_UNREACHABLE', 'the signal store is closed'));
    const entry: LogEntry = { id: (++this.sequence).toString(36), node: this.nodeId, at: Date.now(), seed: this.baseRandom() >>> 0, command };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(entry.id);
        reject(new LinkMicError('TIMEOUT', `the signal store did not order ${command.op} within ${this.options.commandTimeoutMs} ms`));
      }, this.options.commandTimeoutMs);
      this.waiting.set(entry.id, { resolve, reject, timer });
      this.commands.xadd(LOG_KEY, 'MAXLEN', '~', String(this.options.maxLogLength), '*', 'c', JSON.stringify(entry)).catch((error: unknown) => {
        clearTimeout(timer);
        this.waiting.delete(entry.id);
        reject(new LinkMicError('SERVER_UNREACHABLE', `signal store: ${error instanceof Error ? error.message : String(error)}`));
      });
    });
  }

  direct<T>(operation: () => T): T {
    const batch = new Map<string, [string, string][]>();
    this.relaying = batch;
    try {
      return operation();
    } finally {
      this.relaying = undefined;
      for (const [node, items] of batch) {
        this.commands.publish(deliverChannel(node), JSON.stringify({ items })).catch((error: unknown) => this.logger.warn('signal: relay failed', { node, error: String(error) }));
      }
    }
  }

  peerOf(ref: PeerRef, userId: string): Peer {
    return this.directory!.peerOf(ref, userId);
  }

  release(ref: PeerRef): Peer | undefined {
    return this.directory?.release(ref);
  }

  peersOn(node: string): PeerRef[] {
    return this.directory?.peersOn(node) ?? [];
  }

  /** Leaves the cluster: this node's connections are declared gone, the state saved, Redis closed. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    if (this.host) {
      await Promise.race([this.run({ op: 'node-down', node: this.nodeId }).catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      await this.saveSnapshot(true).catch(() => undefined);
      await this.commands.del(nodeKey(this.nodeId)).catch(() => undefined);
    }
    this.closed = true;
    this.clock.stop();
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(new LinkMicError('DISCONNECTED', 'the signal store closed'));
    }
    this.waiting.clear();
    await this.disconnect();
    await this.reading;
    this.directory?.clear();
  }

  // ---------------------------------------------------------------------------------------------

  private async restore(host: SignalStoreHost): Promise<void> {
    const text = await this.commands.get(SNAPSHOT_KEY);
    if (text === null) return;
    const saved = savedSchema.safeParse(safeJson(text));
    if (!saved.success) {
      this.logger.warn('signal: Redis snapshot not usable, replaying the log', { problem: saved.error.issues[0]?.message });
      return;
    }
    const { id, snapshot } = saved.data;
    this.clock.startAt(snapshot.takenAt);
    this.clock.applyAt(snapshot.takenAt, () => host.hub.restoreSnapshot(snapshot, (ref, userId) => this.peerOf(ref, userId)));
    this.lastId = id;
    this.logger.info('signal: state restored from Redis', { node: this.nodeId, position: id, rooms: snapshot.rooms.length, links: snapshot.links.length, pks: snapshot.pks.length });
  }

  private async catchUp(): Promise<void> {
    for (let round = 0; round < 10_000; round++) {
      const reply = await this.commands.call('XREAD', 'COUNT', '1000', 'STREAMS', LOG_KEY, this.lastId);
      if (!this.applyReply(reply)) return;
    }
  }

  private async readLoop(): Promise<void> {
    while (!this.closed) {
      let reply: unknown;
      try {
        reply = await this.reader.call('XREAD', 'COUNT', '500', 'BLOCK', '1000', 'STREAMS', LOG_KEY, this.lastId);
      } catch (error) {
        if (this.closed) return;
        this.logger.warn('signal: reading the Redis log failed', { node: this.nodeId, error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      this.applyReply(reply);
    }
  }

  /** Applies the entries of an XREAD reply; false when it held none. */
  private applyReply(reply: unknown): boolean {
    const parsed = xreadSchema.safeParse(reply);
    if (!parsed.success) {
      this.logger.warn('signal: unexpected XREAD reply', { problem: parsed.error.issues[0]?.message });
      return false;
    }
    const entries = parsed.data?.[0]?.[1] ?? [];
    for (const [id, fields] of entries) this.applyEntry(id, fields);
    return entries.length > 0;
  }

  private applyEntry(id: string, fields: string[]): void {
    this.lastId = id;
    const index = fields.indexOf('c');
    const parsed = entrySchema.safeParse(safeJson(index >= 0 ? fields[index + 1] : undefined));
    if (!parsed.success) {
      this.logger.warn('signal: malformed log entry skipped', { id, problem: parsed.error.issues[0]?.message });
      return;
    }
    const entry = parsed.data;
    const waiting = entry.node === this.nodeId ? this.waiting.get(entry.id) : undefined;
    if (waiting) {
      this.waiting.delete(entry.id);
      clearTimeout(waiting.timer);
    }
    this.random = seededRandom32(entry.seed);
    let result: unknown;
    try {
      result = this.clock.applyAt(entry.at, () => this.host!.apply(entry.command as SignalCommand));
    } catch (error) {
      waiting?.reject(error);
      return;
    } finally {
      this.random = this.baseRandom;
      if (entry.command.op !== 'tick') this.applied += 1;
    }
    waiting?.resolve(result);
  }

  private relay(ref: PeerRef, text: string): void {
    if (!this.relaying) return;
    let items = this.relaying.get(ref.node);
    if (!items) this.relaying.set(ref.node, (items = []));
    items.push([ref.connection, text]);
  }

  private deliver(text: string): void {
    const parsed = deliverySchema.safeParse(safeJson(text));
    if (!parsed.success) return;
    for (const [connection, message] of parsed.data.items) this.host?.localConnection(connection)?.sendRaw(message);
  }

  private beat(): Promise<unknown> {
    return this.commands.set(nodeKey(this.nodeId), String(Date.now()), 'PX', this.options.nodeTtlMs);
  }

  private async onHeartbeat(): Promise<void> {
    try {
      await this.beat();
      const others = [...(this.directory?.otherNodes() ?? [])];
      for (const node of this.reportedDown) if (!others.includes(node)) this.reportedDown.delete(node);
      for (const node of others) {
        if (this.reportedDown.has(node) || (await this.commands.exists(nodeKey(node))) === 1) continue;
        this.reportedDown.add(node);
        this.logger.warn('signal: node gone, its connections end', { node });
        this.runQuietly({ op: 'node-down', node });
      }
      await this.saveSnapshot(false);
    } catch (error) {
      if (!this.closed) this.logger.warn('signal: heartbeat failed', { node: this.nodeId, error: String(error) });
    }
  }

  private async saveSnapshot(force: boolean): Promise<void> {
    if (!this.host || this.applied === 0 || (!force && Date.now() - this.savedAt < this.options.snapshotEveryMs)) return;
    this.applied = 0;
    this.savedAt = Date.now();
    const snapshot = this.clock.applyAt(0, () => this.host!.hub.exportSnapshot((peer) => this.directory?.refOf(peer)));
    await this.commands
      .multi()
      .set(SNAPSHOT_KEY, JSON.stringify({ id: this.lastId, snapshot }), 'EX', this.options.stateTtlSec)
      .expire(LOG_KEY, this.options.stateTtlSec)
      .exec();
  }

  private runQuietly(command: SignalCommand): void {
    if (this.closed) return;
    this.run(command).catch((error: unknown) => this.logger.warn('signal: command failed', { op: command.op, error: String(error) }));
  }

  private async disconnect(): Promise<void> {
    for (const client of [this.reader, this.subscriber, this.commands]) client.disconnect();
    await Promise.resolve();
  }
}

function safeJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
