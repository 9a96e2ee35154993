// The launcher without Electron: `scripts/studio.sh` → studio-launcher starts the web host with
// the embedded server, prints the URL, and Ctrl+C leaves no ffmpeg, no server, no child behind.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
// eslint-disable-next-line no-restricted-imports -- the test plays the console's part
import { connectWebBridge, tokenFromUrl, type WebSocketFactory } from '../../renderer/api';
import { testSettings, waitForState } from './studio-test-core';

/** ffmpeg children of `pid` (tsx's own esbuild helper is not ours to judge). */
function ffmpegChildren(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, comm]) => comm === 'ffmpeg')
      .map(([child]) => Number(child));
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('studio launcher without Electron', () => {
  let dir: string;
  let launcher: ChildProcess | undefined;
  const stderr: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-launcher-'));
    await mkdir(path.join(dir, 'renderer', 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>LinkMic Studio</title>');
    await mkdir(path.join(dir, 'data'));
    await writeFile(path.join(dir, 'data', 'settings.json'), JSON.stringify(testSettings({ userId: 'launcher-host', streamCode: 'launcher_room' })));
  });

  afterAll(async () => {
    if (launcher?.pid && launcher.exitCode === null) launcher.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the console URL, serves the bridge, and stops everything on SIGINT', async () => {
    launcher = spawn(process.execPath, ['--import', 'tsx', 'main/studio-launcher.ts', '--renderer-dir', path.join(dir, 'renderer'), '--port', '0'], {
      env: { ...process.env, LINKMIC_STUDIO_DATA: path.join(dir, 'data'), LINKMIC_ELECTRON_PATH: path.join(dir, 'no-electron-here') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => launcher!.on('exit', (code, signal) => resolve({ code, signal })));
    launcher.stderr!.on('data', (chunk: Buffer) => stderr.push(String(chunk)));
    const lines: string[] = [];
    const ready = await new Promise<{ url: string; server: string; rtmp: string }>((resolve, reject) => {
      createInterface({ input: launcher!.stdout! }).on('line', (line) => {
        lines.push(line);
        if (line.startsWith('{')) resolve(JSON.parse(line) as { url: string; server: string; rtmp: string });
      });
      void exited.then(() => reject(new Error(`launcher exited early: ${stderr.join('')}`)));
    });
    expect(lines[0]).toBe(`LinkMic Studio console: ${ready.url}`);
    expect(lines.join('\n')).toContain('desktop shell needs Electron');
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);

    const studioConsole = await connectWebBridge({ baseUrl: new URL(ready.url).origin, token: tokenFromUrl(ready.url)!, WebSocket: WebSocket as unknown as WebSocketFactory });
    await studioConsole.goLive();
    await waitForState(studioConsole, (s) => s.live.status === 'live', 'live through the launcher');
    const children = ffmpegChildren(launcher.pid!);
    // The push, plus whatever the embedded server runs (its mixer).
    expect(children.length).toBeGreaterThanOrEqual(1);

    launcher.kill('SIGINT');
    const exit = await exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(children.filter(alive)).toEqual([]);
    expect(await portAccepts(Number(new URL(ready.server).port))).toBe(false);
    expect(await portAccepts(Number(new URL(ready.url).port))).toBe(false);
    expect(await portAccepts(Number(ready.rtmp.split(':').pop()))).toBe(false);
  });
});
