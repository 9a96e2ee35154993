// Operator path for signalling identity: the server runs with dev login off, and tokens are minted
// outside it (here by the mint-token CLI, as an operator's backend would with the same formula).
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startChild, waitFor, type Child } from './helpers/media';

// `node --import tsx` rather than tsx's CLI: tsx's wrapper relays signals through a 30 ms
// handshake with its child that a loaded machine misses (it then exits 130 itself).
const TSX_LOADER = ['--import', 'tsx'] as const;
const SERVER_CLI = path.resolve(import.meta.dirname, '..', 'cli.ts');
const MINT_CLI = path.resolve(import.meta.dirname, '..', 'mint-token-cli.ts');

async function hello(httpUrl: string, userId: string, token: string): Promise<{ type: string; error?: { code: string } }> {
  const socket = new WebSocket(`${httpUrl.replace('http', 'ws')}/signal`);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const answer = new Promise<{ type: string; error?: { code: string } }>((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
    socket.send(JSON.stringify({ id: 'h1', type: 'hello', userId, token }));
    return await answer;
  } finally {
    socket.close();
  }
}

describe('signalling tokens from the operator, not from dev login', () => {
  const children: Child[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop()));
  });

  it('turns dev login off with --no-dev-login and accepts a token minted from the server key', async () => {
    const server = startChild(process.execPath, [...TSX_LOADER, SERVER_CLI, '--rtmp-port', '0', '--http-port', '0', '--key', 'operator-key-1', '--no-dev-login', '--log-level', 'silent']);
    children.push(server);
    await waitFor(() => server.stdout.includes('"ready"') || server.process.exitCode !== null, 'the ready line', 30_000);
    const { httpUrl } = JSON.parse(server.stdout.trim().split('\n')[0]!) as { httpUrl: string };

    const devLogin = await fetch(`${httpUrl}/api/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'alice' }) });
    expect(devLogin.ok).toBe(false);

    const mint = startChild(process.execPath, [...TSX_LOADER, MINT_CLI, '--user', 'alice', '--key', 'operator-key-1', '--ttl', '600']);
    children.push(mint);
    expect((await mint.exited).code).toBe(0);
    const minted = JSON.parse(mint.stdout.trim()) as { userId: string; token: string; expiresAt: number };
    expect(minted.userId).toBe('alice');

    expect(await hello(httpUrl, 'alice', minted.token)).toMatchObject({ type: 'result' });
    expect(await hello(httpUrl, 'bob', minted.token)).toMatchObject({ type: 'error', error: { code: 'TOKEN_INVALID' } });
  });

  it('accepts tokens minted with an explicit --token-key and refuses those from the wrong key', async () => {
    const tokenKey = 'explicit-token-key-0123456789';
    const server = startChild(process.execPath, [...TSX_LOADER, SERVER_CLI, '--rtmp-port', '0', '--http-port', '0', '--token-key', tokenKey, '--log-level', 'silent']);
    children.push(server);
    await waitFor(() => server.stdout.includes('"ready"') || server.process.exitCode !== null, 'the ready line', 30_000);
    const { httpUrl } = JSON.parse(server.stdout.trim().split('\n')[0]!) as { httpUrl: string };

    const good = startChild(process.execPath, [...TSX_LOADER, MINT_CLI, '--user', 'carol', '--token-key', tokenKey]);
    const wrong = startChild(process.execPath, [...TSX_LOADER, MINT_CLI, '--user', 'carol', '--token-key', 'another-token-key-0123456789']);
    const missing = startChild(process.execPath, [...TSX_LOADER, MINT_CLI, '--user', 'carol']);
    children.push(good, wrong, missing);
    await Promise.all([good.exited, wrong.exited]);
    expect((await missing.exited).code).toBe(2);
    expect(missing.stderr).toContain('--token-key');
    expect(await hello(httpUrl, 'carol', (JSON.parse(good.stdout) as { token: string }).token)).toMatchObject({ type: 'result' });
    expect(await hello(httpUrl, 'carol', (JSON.parse(wrong.stdout) as { token: string }).token)).toMatchObject({ type: 'error', error: { code: 'TOKEN_INVALID' } });
  });
});
