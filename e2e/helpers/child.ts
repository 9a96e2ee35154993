// A Node child process that announces itself with one JSON line `{"event":"ready",…}` on stdout
// (the link-mic server CLI, the studio web host, the fake guests). Stopped by its PID: SIGTERM,
// then SIGKILL after a grace period; `stop()` resolves once it has exited.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ReadyChild<T> {
  readonly pid: number;
  readonly ready: T;
  /** Every JSON line the child printed on stdout after `ready`. */
  readonly lines: Array<Record<string, unknown>>;
  /** The last stderr lines (diagnostics when something fails). */
  stderrTail(): string;
  stop(): Promise<void>;
}

/** Runs a TypeScript entry of the repository with tsx (`node --import tsx file.ts …`). */
export async function startTsChild<T>(name: string, file: string, args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ReadyChild<T>> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, file), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const stderr: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr.push(...chunk.split('\n').filter(Boolean));
    if (stderr.length > 80) stderr.splice(0, stderr.length - 80);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not get ready in time:\n${stderr.join('\n')}`)), options.timeoutMs ?? 30_000);
    let buffer = '';
    let isReady = false;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith('{')) continue;
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (!isReady && message.event === 'ready') {
          isReady = true;
          clearTimeout(timer);
          resolve(message as T);
        } else lines.push(message);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!isReady) reject(new Error(`${name} exited before ready (${code ?? signal}):\n${stderr.join('\n')}`));
    });
  }).catch(async (error: unknown) => {
    await stopChild(child, exited);
    throw error;
  });
  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid!,
    ready,
    lines,
    stderrTail: () => stderr.join('\n'),
    stop: () => (stopping ??= stopChild(child, exited)),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  process.kill(child.pid!, 'SIGTERM');
  const killTimer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
  }, 8000);
  await exited;
  clearTimeout(killTimer);
}
