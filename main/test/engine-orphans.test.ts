// ffmpeg must die with its parent: no orphaned ffmpeg, also when the app is killed or quits abruptly.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestOrigin } from './helpers/engine-origin';
import { isAlive, waitUntil } from './helpers/engine-media';

const PARENT = path.join(import.meta.dirname, 'helpers', 'engine-parent.ts');

/** Starts the parent script and resolves with its PID and the ffmpeg PID it reports once live. */
async function startParent(url: string, mode: 'wait' | 'exit'): Promise<{ parentPid: number; ffmpegPid: number; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', PARENT, url, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let out = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(out.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`parent exited (${code}) before reporting: ${out}`)));
  });
  const { ffmpegPid } = JSON.parse(line) as { ffmpegPid: number };
  return { parentPid: child.pid as number, ffmpegPid, exited };
}

describe('no orphaned ffmpeg', () => {
  let origin: TestOrigin;
  beforeAll(async () => {
    origin = await TestOrigin.start();
  });
  afterAll(async () => {
    await origin?.close();
  });

  it('kills the push ffmpeg when its parent Node process is SIGKILLed', async () => {
    const { parentPid, ffmpegPid, exited } = await startParent(origin.pushUrl('orphan_kill'), 'wait');
    expect(isAlive(ffmpegPid)).toBe(true);
    expect(origin.live.getStream('orphan_kill')).toBeDefined();
    process.kill(parentPid, 'SIGKILL');
    await exited;
    try {
      await waitUntil(() => !isAlive(ffmpegPid), 10_000, `ffmpeg ${ffmpegPid} to die with its parent`);
    } finally {
      if (isAlive(ffmpegPid)) process.kill(ffmpegPid, 'SIGKILL'); // never leave it behind, even on failure
    }
    expect(isAlive(ffmpegPid)).toBe(false);
    await waitUntil(() => origin.live.getStream('orphan_kill') === undefined, 10_000, 'the origin to drop the stream');
  });

  it('kills the push ffmpeg when its parent exits without closing the engine', async () => {
    const { ffmpegPid, exited } = await startParent(origin.pushUrl('orphan_exit'), 'exit');
    await exited;
    try {
      await waitUntil(() => !isAlive(ffmpegPid), 10_000, `ffmpeg ${ffmpegPid} to die with its parent`);
    } finally {
      if (isAlive(ffmpegPid)) process.kill(ffmpegPid, 'SIGKILL');
    }
    expect(isAlive(ffmpegPid)).toBe(false);
  });
});
