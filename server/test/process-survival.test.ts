// The process survives one bad connection (issue 11 item 1): the headless CLI takes the packet that
// used to end it, and the last resort keeps a process serving when an error escapes one connection.
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import amf from 'node-media-server/src/protocol/amf.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startChild, waitFor, type Child } from './helpers/media';
import { RawRtmpClient } from './helpers/raw-rtmp-client';

const require = createRequire(import.meta.url);
const TSX = require.resolve('tsx/cli');
const CLI = path.resolve(import.meta.dirname, '..', 'cli.ts');
const LAST_RESORT_CHILD = path.resolve(import.meta.dirname, 'helpers', 'last-resort-child.ts');

/** Sends `text` on a fresh connection and resolves with what came back before the close. */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.on('data', (data: Buffer) => (reply += data.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(reply));
    socket.on('connect', () => socket.write(`${text}\n`));
    // a handler that threw never answers: give up on this connection after a while
    setTimeout(() => socket.destroy(), 1500).unref();
  });
}

describe('process survival', () => {
  const children: Child[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop()));
  });

  it('keeps the headless server up after the one-packet crash of issue 11 (connect without tcUrl), then serves HTTP and RTMP', async () => {
    const child = startChild(process.execPath, [TSX, CLI, '--rtmp-port', '0', '--http-port', '0', '--log-level', 'info']);
    children.push(child);
    await waitFor(() => child.stdout.includes('\n') || child.process.exitCode !== null, 'the ready line', 30_000);
    const ready = JSON.parse(child.stdout.trim()) as { rtmpPort: number; httpUrl: string };

    const attacker = new RawRtmpClient({ host: '127.0.0.1', port: ready.rtmpPort });
    await attacker.handshake();
    attacker.sendCommandPayload(amf.encodeAmf0Cmd({ cmd: 'connect', transId: 1, cmdObj: { app: 'live' } }));
    await attacker.waitClosed();
    await waitFor(() => child.stderr.includes('RTMP peer dropped'), 'the drop to be logged');

    expect(child.process.exitCode).toBeNull();
    expect(child.stderr).not.toContain('Node.js v');
    expect(await (await fetch(`${ready.httpUrl}/healthz`)).json()).toMatchObject({ ok: true });
    const stats = (await (await fetch(`${ready.httpUrl}/api/stats`)).json()) as { rtmpPeersDropped: Record<string, number> };
    expect(stats.rtmpPeersDropped).toEqual({ INVALID_MESSAGE: 1 });
    const honest = new RawRtmpClient({ host: '127.0.0.1', port: ready.rtmpPort });
    await honest.open();
    expect(await honest.publish('afterwards')).toMatchObject({ code: 'NetStream.Publish.Start' });
    await honest.destroy();
  });

  it('logs an error that escapes one connection and keeps serving; an error outside any connection still ends the process', async () => {
    const child = startChild(process.execPath, ['--import', 'tsx', LAST_RESORT_CHILD]);
    children.push(child);
    await waitFor(() => child.stdout.includes('\n') || child.process.exitCode !== null, 'the child to listen', 30_000);
    const { port } = JSON.parse(child.stdout.trim()) as { port: number };

    expect(await exchange(port, 'hello')).toBe('echo hello\n');
    expect(await exchange(port, 'throw')).toBe('');
    await waitFor(() => child.stderr.includes('an error escaped one connection'), 'the last resort to log');
    expect(child.stderr).toContain('a peer sent what this handler cannot take');
    expect(await exchange(port, 'again')).toBe('echo again\n');
    expect(child.process.exitCode).toBeNull();

    expect(await exchange(port, 'timer')).toBe('scheduled\n');
    expect((await child.exited).code).toBe(1);
    expect(child.stderr).toContain('uncaught error outside any connection');
  });
});
