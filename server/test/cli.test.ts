// The headless CLI as a real child process: `tsx server/cli.ts`.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../cli-config';
import { startChild, waitFor, type Child } from './helpers/media';

// `node --import tsx` rather than tsx's CLI: tsx's wrapper relays signals through a 30 ms
// handshake with its child that a loaded machine misses (it then exits 130 itself).
const TSX_LOADER = ['--import', 'tsx'] as const;
const CLI = path.resolve(import.meta.dirname, '..', 'cli.ts');

function runCli(args: readonly string[]): Child {
  return startChild(process.execPath, [...TSX_LOADER, CLI, ...args]);
}

describe('linkmic-server CLI', () => {
  const children: Child[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop()));
  });

  it('prints one JSON ready line with the real ports for port 0, serves, and exits 0 on SIGTERM', async () => {
    const child = runCli(['--host', '127.0.0.1', '--rtmp-port', '0', '--http-port', '0', '--key', 'k3y-for-test', '--link-quota', '4', '--log-level', 'warn']);
    children.push(child);
    await waitFor(() => child.stdout.includes('\n') || child.process.exitCode !== null, 'the ready line', 30_000);
    const lines = child.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const ready = JSON.parse(lines[0]!) as { event: string; rtmpUrl: string; httpUrl: string; rtmpPort: number; httpPort: number };
    expect(ready.event).toBe('ready');
    expect(ready.rtmpPort).toBeGreaterThan(0);
    expect(ready.httpPort).toBeGreaterThan(0);
    expect(ready.rtmpUrl).toBe(`rtmp://127.0.0.1:${ready.rtmpPort}`);
    expect(ready.httpUrl).toBe(`http://127.0.0.1:${ready.httpPort}`);
    expect(await (await fetch(`${ready.httpUrl}/healthz`)).json()).toMatchObject({ ok: true });

    child.process.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('exits 0 on SIGINT too', async () => {
    const child = runCli(['--rtmp-port', '0', '--http-port', '0', '--log-level', 'silent']);
    children.push(child);
    await waitFor(() => child.stdout.includes('"ready"') || child.process.exitCode !== null, 'the ready line', 30_000);
    child.process.kill('SIGINT');
    expect((await child.exited).code).toBe(0);
  });

  it('exits 2 with a clear error on a bad flag, a bad value, or a link quota above 8', async () => {
    const unknown = runCli(['--no-such-flag']);
    const badPort = runCli(['--rtmp-port', 'abc']);
    const quota = runCli(['--link-quota', '9']);
    const noKey = runCli(['--require-play-sign', '--rtmp-port', '0', '--http-port', '0']);
    children.push(unknown, badPort, quota, noKey);
    const exits = await Promise.all([unknown.exited, badPort.exited, quota.exited, noKey.exited]);
    expect(exits.map((exit) => exit.code)).toEqual([2, 2, 2, 2]);
    expect(unknown.stderr).toContain('--no-such-flag');
    expect(badPort.stderr).toContain('--rtmp-port');
    expect(quota.stderr).toContain('INVALID_CONFIG');
    expect(quota.stderr).toContain('--link-quota');
    expect(quota.stderr).toContain('8');
    expect(noKey.stderr).toContain('INVALID_CONFIG');
    expect(unknown.stdout + badPort.stdout + quota.stdout).not.toContain('ready');
  });

  it('exits 1 with PORT_IN_USE when its port is taken', async () => {
    const first = runCli(['--rtmp-port', '0', '--http-port', '0', '--log-level', 'silent']);
    children.push(first);
    await waitFor(() => first.stdout.includes('"ready"') || first.process.exitCode !== null, 'the first ready line', 30_000);
    const { httpPort } = JSON.parse(first.stdout) as { httpPort: number };
    const second = runCli(['--rtmp-port', '0', '--http-port', String(httpPort), '--log-level', 'silent']);
    children.push(second);
    expect((await second.exited).code).toBe(1);
    expect(second.stderr).toContain('PORT_IN_USE');
    expect(first.process.exitCode).toBe(null);
  });
});

describe('CLI settings', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('takes flags over LINKMIC_* variables over the config file over defaults', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'linkmic-cli-'));
    dirs.push(dir);
    const file = path.join(dir, 'server.json');
    writeFileSync(file, JSON.stringify({ rtmpPort: 1111, httpPort: 2222, key: 'from-file', linkQuota: 2 }));
    expect(resolveConfig(['--config', file], {})).toMatchObject({ host: '127.0.0.1', rtmpPort: 1111, httpPort: 2222, key: 'from-file', linkQuota: 2, requirePlaySign: false });
    expect(resolveConfig(['--config', file], { LINKMIC_HTTP_PORT: '3333', LINKMIC_REQUIRE_PLAY_SIGN: 'true' })).toMatchObject({
      rtmpPort: 1111,
      httpPort: 3333,
      requirePlaySign: true,
    });
    expect(resolveConfig(['--http-port', '4444', '--link-quota', '8'], { LINKMIC_CONFIG: file, LINKMIC_HTTP_PORT: '3333' })).toMatchObject({
      rtmpPort: 1111,
      httpPort: 4444,
      linkQuota: 8,
    });
    const defaults = resolveConfig([], {});
    expect(defaults).toMatchObject({ host: '127.0.0.1', rtmpPort: 1935, httpPort: 8000, linkQuota: 3, requirePlaySign: false });
    expect(defaults.key).toBeUndefined();
  });

  it('refuses a config file with unknown keys or bad values as INVALID_CONFIG', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'linkmic-cli-'));
    dirs.push(dir);
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ rtmpPort: 'x' }));
    expect(() => resolveConfig(['--config', file], {})).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', field: 'rtmpPort' }));
    writeFileSync(file, JSON.stringify({ rtmpPrt: 1 }));
    expect(() => resolveConfig(['--config', file], {})).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => resolveConfig([], { LINKMIC_LINK_QUOTA: '12' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', field: 'linkQuota' }));
  });

  it('takes the PK battle lengths for tests: a test-only battle duration and the result phase', () => {
    expect(resolveConfig(['--battle-test-duration-sec', '20', '--battle-result-sec', '30'], {})).toMatchObject({ battleTestDurationSec: 20, battleResultSec: 30 });
    expect(resolveConfig([], { LINKMIC_BATTLE_RESULT_SEC: '5' })).toMatchObject({ battleResultSec: 5 });
    expect(resolveConfig([], {}).battleResultSec).toBeUndefined();
    expect(() => resolveConfig(['--battle-result-sec', '0'], {})).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', field: 'battleResultSec' }));
  });

  it('takes the stream codes one user may claim from the CLI or the environment, a positive integer', () => {
    expect(resolveConfig(['--max-stream-codes-per-user', '4'], {})).toMatchObject({ maxStreamCodesPerUser: 4 });
    expect(resolveConfig([], { LINKMIC_MAX_STREAM_CODES_PER_USER: '32' })).toMatchObject({ maxStreamCodesPerUser: 32 });
    expect(resolveConfig([], {}).maxStreamCodesPerUser).toBeUndefined();
    expect(() => resolveConfig(['--max-stream-codes-per-user', '0'], {})).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', field: 'maxStreamCodesPerUser' }));
  });
});
