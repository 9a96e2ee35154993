// The recording controller: owns the recorders of one recording (the program, and with `iso` one
// per linked co-host / PK opponent), follows the studio's state (ISO recorders start when a party
// appears and stop when it leaves; everything stops when the push ends), checks the folder and the
// free disk before it starts and every few seconds while it records, and reports its state.
// The program is pulled from the origin through our own stream's audience URL: it is what reached
// the server whichever engine pushed it. ISO recordings use the parties' audience URLs too, so they
// never take a slot of the low-latency link quota (spec §5); a party with none falls back to its
// signed link play URL (RTMP).
import { InvalidStateError, LinkMicError, toErrorPayload, type ErrorPayload } from '../../common/errors';
import type { LinkView, LiveState, PkView, RecordingFileView, RecordingState, RoomView } from '../../common/studio-api';
import type { Logger } from '../../node/logger';
import { assertFreeSpace, assertWritableFolder, DEFAULT_MIN_FREE_BYTES, freshFilePath, localStamp } from './recording-files';
import { StreamRecorder, type RecordingRole } from './stream-recorder';

export interface RecordingSources {
  readonly live: LiveState;
  readonly room: RoomView | null;
  readonly links: readonly LinkView[];
  readonly pk: PkView | null;
}

export interface RecordingControllerOptions {
  /** Refuse (and stop) below this many free bytes. Default 1 GiB. */
  readonly minFreeBytes?: number;
  /** How often the free disk is checked while recording. Default 5000 ms. */
  readonly diskCheckMs?: number;
}

export interface RecordingControllerDeps extends RecordingControllerOptions {
  readonly ffmpegPath: () => string | null;
  readonly folder: () => string;
  readonly sources: () => RecordingSources;
  readonly now: () => number;
  readonly changed: () => void;
  readonly report: (error: ErrorPayload) => void;
  readonly logger?: Logger;
}

interface Target {
  readonly key: string;
  readonly role: RecordingRole;
  readonly userId: string | null;
  readonly url: string;
}

/** Restarts of the program file (push restarts, origin drops) before the recording gives up. */
const MAX_PROGRAM_FILES = 20;
const MAX_FAILED_STARTS = 10;
const RETRY_MS = 1000;

export class RecordingController {
  private status: RecordingState['status'] = 'idle';
  private iso = false;
  private startedAt: number | null = null;
  private stamp = '';
  private folderInUse: string | null = null;
  private lastError: ErrorPayload | null = null;
  private readonly recorders = new Map<string, StreamRecorder>();
  private readonly starting = new Set<string>();
  private files: Array<{ recorder: StreamRecorder; userId: string | null }> = [];
  private programFiles = 0;
  /** Failed starts per target (a party whose stream is not on the origin yet is retried, boundedly). */
  private readonly failedStarts = new Map<string, number>();
  private diskTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: RecordingControllerDeps) {}

  get state(): RecordingState {
    const files: RecordingFileView[] = this.files.map(({ recorder, userId }) => ({
      path: recorder.file,
      role: recorder.role,
      userId,
      bytes: recorder.bytes,
      durationMs: recorder.durationMs,
      active: !recorder.closed,
    }));
    return { status: this.status, iso: this.iso, folder: this.folderInUse ?? this.deps.folder(), startedAt: this.startedAt, files, lastError: this.lastError };
  }

  async start(options: { iso?: boolean } = {}): Promise<RecordingState> {
    if (this.status === 'recording') throw new InvalidStateError('already recording');
    const sources = this.deps.sources();
    const program = programTarget(sources);
    if (!program) throw new LinkMicError('RECORDING_NOT_LIVE', 'recording needs our own room live (go live as big host first)');
    const ffmpegPath = this.deps.ffmpegPath();
    if (!ffmpegPath) throw new LinkMicError('FFMPEG_NOT_FOUND', 'no ffmpeg to record with');
    const folder = this.deps.folder();
    await assertWritableFolder(folder);
    await assertFreeSpace(folder, this.minFreeBytes);
    this.status = 'recording';
    this.iso = options.iso === true;
    this.startedAt = this.deps.now();
    this.stamp = localStamp(this.startedAt);
    this.folderInUse = folder;
    this.lastError = null;
    this.files = [];
    this.programFiles = 0;
    this.failedStarts.clear();
    this.deps.changed();
    try {
      await this.startRecorder(program);
    } catch (error) {
      await this.stop();
      this.lastError = toErrorPayload(error);
      this.deps.changed();
      throw error;
    }
    this.follow();
    this.diskTimer = setInterval(() => void this.checkDisk(), this.deps.diskCheckMs ?? 5000);
    return this.state;
  }

  /** Stops every recorder; resolves once their ffmpeg exited (the files are complete). Idempotent. */
  async stop(): Promise<RecordingState> {
    clearInterval(this.diskTimer);
    clearTimeout(this.retryTimer);
    this.diskTimer = undefined;
    this.retryTimer = undefined;
    this.status = 'idle';
    this.startedAt = null;
    const recorders = [...this.recorders.values()];
    this.recorders.clear();
    await Promise.all(recorders.map((r) => r.close()));
    this.folderInUse = null;
    this.deps.changed();
    return this.state;
  }

  close(): Promise<RecordingState> {
    return this.stop();
  }

  /** Follows the studio: call on every state change. Stops with the push; ISO recorders follow the parties. */
  follow(): void {
    if (this.status !== 'recording') return;
    const sources = this.deps.sources();
    if (sources.live.status === 'offline' || sources.live.role !== 'big') {
      void this.stop();
      return;
    }
    const wanted = new Map<string, Target>();
    const program = programTarget(sources);
    if (program && sources.live.status === 'live' && this.programFiles < MAX_PROGRAM_FILES) wanted.set(program.key, program);
    if (this.iso) for (const target of isoTargets(sources)) wanted.set(target.key, target);
    for (const [key, recorder] of this.recorders) if (!wanted.has(key) && key !== 'program') void this.closeRecorder(key, recorder);
    for (const [key, target] of wanted) {
      if (this.recorders.has(key) || this.starting.has(key) || (this.failedStarts.get(key) ?? 0) >= MAX_FAILED_STARTS) continue;
      this.startRecorder(target).catch((error: unknown) => {
        const failures = (this.failedStarts.get(key) ?? 0) + 1;
        this.failedStarts.set(key, failures);
        if (failures >= MAX_FAILED_STARTS) this.fail(toErrorPayload(error), false);
        else this.deps.logger?.warn({ err: error, target: key }, 'a recorder could not start; retrying');
      });
    }
  }

  private get minFreeBytes(): number {
    return this.deps.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
  }

  private async startRecorder(target: Target): Promise<void> {
    const ffmpegPath = this.deps.ffmpegPath();
    const folder = this.folderInUse;
    if (!ffmpegPath || !folder) return;
    this.starting.add(target.key);
    try {
      const label = target.role === 'program' ? 'program' : `${target.role}-${target.userId ?? 'stream'}`;
      const file = await freshFilePath(folder, this.stamp, label);
      const recorder = new StreamRecorder({ ffmpegPath, url: target.url, file, role: target.role, ...(this.deps.logger ? { logger: this.deps.logger } : {}) });
      if (target.role === 'program') this.programFiles += 1;
      this.recorders.set(target.key, recorder);
      this.files.push({ recorder, userId: target.userId });
      // The program's size and duration are in the state (about once a second while recording).
      if (target.role === 'program') recorder.events.on('progress', () => this.deps.changed());
      let wasReady = false;
      recorder.events.on('ready', () => {
        wasReady = true;
        this.failedStarts.delete(target.key);
      });
      recorder.events.on('close', ({ closedByUs, error }) => {
        if (this.recorders.get(target.key) === recorder) this.recorders.delete(target.key);
        if (!closedByUs && error && wasReady && this.status === 'recording') this.fail(error, false);
        this.deps.changed();
        // A recorder that ended under us (push restart, origin drop) continues in a new file once its stream is back.
        if (!closedByUs && this.status === 'recording') this.retrySoon();
      });
      this.deps.changed();
      try {
        await recorder.start();
      } catch (error) {
        this.files = this.files.filter((f) => f.recorder !== recorder);
        throw error;
      }
      if (this.status !== 'recording') await recorder.close();
    } finally {
      this.starting.delete(target.key);
    }
  }

  private retrySoon(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.follow();
    }, RETRY_MS);
  }

  private async closeRecorder(key: string, recorder: StreamRecorder): Promise<void> {
    this.recorders.delete(key);
    await recorder.close();
    this.deps.changed();
  }

  private async checkDisk(): Promise<void> {
    if (this.status !== 'recording' || !this.folderInUse) return;
    try {
      await assertFreeSpace(this.folderInUse, this.minFreeBytes);
    } catch (error) {
      this.fail(toErrorPayload(error), true);
    }
  }

  private fail(error: ErrorPayload, stop: boolean): void {
    this.lastError = error;
    this.deps.report(error);
    this.deps.changed();
    if (stop) void this.stop();
  }
}

function programTarget(sources: RecordingSources): Target | null {
  const { live, room } = sources;
  if (live.role !== 'big' || (live.status !== 'live' && live.status !== 'reconnecting') || !room) return null;
  const url = room.audienceUrls[room.streamCode];
  return url ? { key: 'program', role: 'program', userId: null, url } : null;
}

function isoTargets(sources: RecordingSources): Target[] {
  const audience = sources.room?.audienceUrls ?? {};
  const targets: Target[] = [];
  for (const link of sources.links) {
    if (link.role !== 'host') continue;
    targets.push({ key: `guest:${link.peer.userId}`, role: 'guest', userId: link.peer.userId, url: audience[link.peer.streamCode] ?? link.playUrls.rtmp });
  }
  if (sources.pk) targets.push({ key: `pk:${sources.pk.peer.userId}`, role: 'pk', userId: sources.pk.peer.userId, url: audience[sources.pk.peer.streamCode] ?? sources.pk.playUrls.rtmp });
  return targets;
}
