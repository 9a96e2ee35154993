// The one ffmpeg child-process wrapper, with real ffmpeg: failed-before-ready vs died-after-ready,
// exits we caused are never reported, progress parsing, idempotent close with a SIGKILL fallback.
import { describe, expect, it } from 'vitest';
import { FfmpegProcess, runFfmpeg } from '../../node/ffmpeg/ffmpeg-process';
import type { FfmpegFailure } from '../../node/ffmpeg/ffmpeg-process-types';
import type { FfmpegProgress } from '../../node/ffmpeg/ffmpeg-progress';
import { silentLogger } from '../../node/logger';
import { isAlive } from './helpers/engine-media';

const FFMPEG = '/usr/bin/ffmpeg';
const PATTERN = ['-re', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=15'];

function track(proc: FfmpegProcess): { failed: FfmpegFailure[]; died: FfmpegFailure[]; ended: number; progress: FfmpegProgress[]; lines: string[] } {
  const seen = { failed: [] as FfmpegFailure[], died: [] as FfmpegFailure[], ended: 0, progress: [] as FfmpegProgress[], lines: [] as string[] };
  proc.on('failed', (f) => seen.failed.push(f));
  proc.on('died', (f) => seen.died.push(f));
  proc.on('ended', () => (seen.ended += 1));
  proc.on('progress', (p) => seen.progress.push(p));
  proc.on('stderr', (l) => seen.lines.push(l));
  return seen;
}

describe('FfmpegProcess', () => {
  it('reports a failure before ready with ffmpeg’s own message', async () => {
    const proc = new FfmpegProcess({ ffmpegPath: FFMPEG, name: 'bad', mode: 'progress', args: [...PATTERN, '-c:v', 'no_such_encoder', '-f', 'null', '-'] }, silentLogger());
    const seen = track(proc);
    proc.start();
    await expect(proc.waitReady()).rejects.toMatchObject({ code: 'FFMPEG_FAILED', message: expect.stringContaining('no_such_encoder') });
    const exit = await proc.exited;
    expect(exit).toMatchObject({ closedByUs: false, afterReady: false });
    expect(seen.failed).toHaveLength(1);
    expect(seen.failed[0]?.message).toMatch(/Unknown encoder 'no_such_encoder'/);
    expect(seen.died).toHaveLength(0);
  });

  it('reports a binary that cannot start as failed before ready', async () => {
    const proc = new FfmpegProcess({ ffmpegPath: '/nonexistent/ffmpeg', name: 'missing', mode: 'spawn', args: ['-version'] }, silentLogger());
    const seen = track(proc);
    proc.start();
    const exit = await proc.exited;
    expect(exit.afterReady).toBe(false);
    expect(seen.failed[0]?.message).toMatch(/could not start \/nonexistent\/ffmpeg: .*ENOENT/);
  });

  it('parses -progress blocks into stats and becomes ready on the first one', async () => {
    const proc = new FfmpegProcess({ ffmpegPath: FFMPEG, name: 'progress', mode: 'progress', args: [...PATTERN, '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'null', '-'] }, silentLogger());
    const seen = track(proc);
    proc.start();
    await proc.waitReady();
    expect(proc.ready).toBe(true);
    const exit = await proc.exited;
    expect(exit).toMatchObject({ code: 0, closedByUs: false, afterReady: true });
    expect(seen.ended).toBe(1);
    const last = seen.progress[seen.progress.length - 1];
    expect(last).toMatchObject({ progress: 'end', frame: 30 });
    expect(last?.outTimeMs).toBeGreaterThan(1900);
    expect(seen.lines.some((line) => line.startsWith('Input #0, lavfi'))).toBe(true);
  });

  it('reports a death after ready with the signal, when someone else kills it', async () => {
    const proc = new FfmpegProcess({ ffmpegPath: FFMPEG, name: 'victim', mode: 'progress', args: [...PATTERN, '-f', 'null', '-'] }, silentLogger());
    const seen = track(proc);
    proc.start();
    await proc.waitReady();
    process.kill(proc.pid as number, 'SIGKILL');
    const exit = await proc.exited;
    expect(exit).toMatchObject({ signal: 'SIGKILL', closedByUs: false, afterReady: true });
    expect(seen.died).toEqual([expect.objectContaining({ signal: 'SIGKILL' })]);
    expect(seen.failed).toHaveLength(0);
  });

  it('never reports an exit it caused, and close() is idempotent (q on stdin)', async () => {
    const proc = new FfmpegProcess({ ffmpegPath: FFMPEG, name: 'closed', mode: 'progress', args: [...PATTERN, '-f', 'null', '-'] }, silentLogger());
    const seen = track(proc);
    let closes = 0;
    proc.on('close', () => (closes += 1));
    proc.start();
    await proc.waitReady();
    const pid = proc.pid as number;
    const [first, second] = await Promise.all([proc.close(), proc.close()]);
    expect(first).toBe(second);
    expect(first).toMatchObject({ code: 0, signal: null, closedByUs: true }); // ffmpeg quit on 'q'
    expect(await proc.close()).toBe(first);
    expect(closes).toBe(1);
    expect(seen.died).toHaveLength(0);
    expect(seen.failed).toHaveLength(0);
    expect(seen.ended).toBe(0);
    expect(isAlive(pid)).toBe(false);
  });

  it('SIGKILLs an ffmpeg that ignores q after the close timeout, still as an exit it caused', async () => {
    const proc = new FfmpegProcess(
      { ffmpegPath: FFMPEG, name: 'deaf', mode: 'progress', closeTimeoutMs: 300, args: ['-nostdin', ...PATTERN, '-f', 'null', '-'] },
      silentLogger(),
    );
    const seen = track(proc);
    proc.start();
    await proc.waitReady();
    const exit = await proc.close();
    expect(exit).toMatchObject({ signal: 'SIGKILL', closedByUs: true });
    expect(seen.died).toHaveLength(0);
  });

  it('runs one-shot commands and captures their output', async () => {
    const result = await runFfmpeg(FFMPEG, ['-version'], silentLogger(), { name: 'version' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ffmpeg version /);
  });
});
