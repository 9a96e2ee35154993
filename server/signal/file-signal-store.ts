// The file-backed signal store (one node): commands run at once, and the hub's state is written to
// a JSON file shortly after every change (atomically: a temporary file renamed over the old one)
// and once more on close. At start the file is read back (zod-checked), so after a restart rooms,
// links and PKs are there again and clients that reconnect within the grace continue. A file that
// cannot be read as a state is set aside (`.invalid-<time>`) with a logged reason, never lost.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from './clock';
import type { SignalLogger } from './deps';
import { MemorySignalStore } from './memory-signal-store';
import { parseHubSnapshot } from './signal-snapshot';
import type { SignalCommand, SignalStoreHost } from './signal-store';

export interface FileSignalStoreOptions {
  readonly file: string;
  /** Delay between a change and its write (default 100 ms). */
  readonly debounceMs?: number;
  readonly logger: SignalLogger;
}

export class FileSignalStore extends MemorySignalStore {
  override readonly kind = 'file' as const;
  private readonly file: string;
  private readonly debounceMs: number;
  private readonly logger: SignalLogger;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private closed = false;

  constructor(options: FileSignalStoreOptions) {
    super();
    this.file = path.resolve(options.file);
    this.debounceMs = options.debounceMs ?? 100;
    this.logger = options.logger;
  }

  /** Timers the hub sets change state when they fire (timeouts, grace): those are saved too. */
  override hubClock(base: Clock): Clock {
    return {
      now: () => base.now(),
      setTimeout: (callback, ms) =>
        base.setTimeout(() => {
          try {
            callback();
          } finally {
            this.changed();
          }
        }, ms),
    };
  }

  override open(host: SignalStoreHost): void {
    super.open(host);
    mkdirSync(path.dirname(this.file), { recursive: true });
    if (!existsSync(this.file)) return;
    let problem: string;
    try {
      const parsed = parseHubSnapshot(JSON.parse(readFileSync(this.file, 'utf8')));
      if (parsed.ok) {
        // No connection survives a restart: every user restored starts its reconnect grace.
        host.hub.restoreSnapshot(parsed.snapshot, () => undefined);
        const { rooms, links, pks, users } = parsed.snapshot;
        this.logger.info('signal: state restored from file', { file: this.file, rooms: rooms.length, links: links.length, pks: pks.length, users: users.length });
        return;
      }
      problem = parsed.problem;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    const aside = `${this.file}.invalid-${Date.now()}`;
    renameSync(this.file, aside);
    this.logger.warn('signal: state file not restored, set aside', { file: this.file, aside, problem });
  }

  override run(command: SignalCommand): unknown {
    try {
      return super.run(command);
    } finally {
      if (command.op !== 'tick') this.changed();
    }
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    this.writeNow();
    await super.close();
  }

  private changed(): void {
    this.dirty = true;
    if (this.closed || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.debounceMs);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    if (this.writing) {
      await this.writing;
      if (this.dirty && !this.closed) this.changed();
      return;
    }
    this.dirty = false;
    const text = this.serialise();
    const temporary = `${this.file}.tmp`;
    this.writing = writeFile(temporary, text)
      .then(() => rename(temporary, this.file))
      .catch((error: unknown) => this.logger.warn('signal: state file write failed', { file: this.file, error: String(error) }))
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
  }

  private writeNow(): void {
    if (!this.host) return;
    const temporary = `${this.file}.tmp`;
    try {
      writeFileSync(temporary, this.serialise());
      renameSync(temporary, this.file);
    } catch (error) {
      this.logger.warn('signal: state file write failed', { file: this.file, error: String(error) });
    }
  }

  private serialise(): string {
    // Connections are not kept: after a restart nobody is connected.
    return JSON.stringify(this.host!.hub.exportSnapshot(() => undefined));
  }
}
