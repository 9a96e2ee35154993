import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE_AUTH_FAILED } from '../../common/signal/messages';
import { mintUserToken, verifyUserToken } from '../signal/user-sig';
import type { RawSocket} from './signal-harness';
import { startSignalServer, TEST_TOKEN_KEY, type SignalTestServer } from './signal-harness';

describe('signal identity', () => {
  let server: SignalTestServer;
  beforeEach(async () => {
    server = await startSignalServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('issues a working token from POST /api/dev-login', async () => {
    const response = await fetch(`${server.httpUrl}/api/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'alice' }) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { userId: string; token: string; expiresAt: number };
    expect(body.userId).toBe('alice');
    const socket = await server.raw();
    const answer = await socket.request({ id: 'h1', type: 'hello', userId: 'alice', token: body.token });
    expect(answer).toMatchObject({ type: 'result', id: 'h1', result: { userId: 'alice', resumed: false } });
  });

  it('refuses a dev-login body without a valid user id', async () => {
    const response = await fetch(`${server.httpUrl}/api/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'no spaces allowed' }) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_ARGUMENT');
  });

  it('refuses a forged token and closes the connection with 4401', async () => {
    const socket = await server.raw();
    const forged = mintUserToken('some-other-key-0123456789', 'alice', Math.floor(Date.now() / 1000) + 3600);
    const answer = await socket.request({ id: 'h1', type: 'hello', userId: 'alice', token: forged });
    expect(answer).toMatchObject({ type: 'error', id: 'h1', error: { code: 'TOKEN_INVALID' } });
    expect(await socket.waitClosed()).toBe(CLOSE_AUTH_FAILED);
  });

  it("refuses another user's token", async () => {
    const socket = await server.raw();
    const answer = await socket.request({ id: 'h1', type: 'hello', userId: 'mallory', token: server.token('alice') });
    expect(answer).toMatchObject({ type: 'error', error: { code: 'TOKEN_INVALID' } });
  });

  it('refuses an expired token', async () => {
    const socket = await server.raw();
    const expired = mintUserToken(TEST_TOKEN_KEY, 'alice', Math.floor(server.clock.now() / 1000) - 1);
    const answer = await socket.request({ id: 'h1', type: 'hello', userId: 'alice', token: expired });
    expect(answer).toMatchObject({ type: 'error', id: 'h1', error: { code: 'TOKEN_EXPIRED' } });
    expect(await socket.waitClosed()).toBe(CLOSE_AUTH_FAILED);
  });

  it('refuses a token that expires while the clock moves on', async () => {
    const token = server.token('alice', 60);
    server.clock.advance(61_000);
    const socket = await server.raw();
    const answer = await socket.request({ id: 'h1', type: 'hello', userId: 'alice', token });
    expect(answer).toMatchObject({ type: 'error', error: { code: 'TOKEN_EXPIRED' } });
  });

  it('answers any request before hello with TOKEN_MISSING', async () => {
    const socket = await server.raw();
    const answer = await socket.request({ id: 'x', type: 'c2c.send', to: 'bob', body: 'hi' });
    expect(answer).toMatchObject({ type: 'error', id: 'x', error: { code: 'TOKEN_MISSING' } });
  });

  it('closes a connection that never says hello', async () => {
    const socket = await server.raw();
    server.clock.advance(10_000);
    expect(await socket.waitClosed()).toBe(CLOSE_AUTH_FAILED);
  });

  it('lets SignalClient.connect reject with the server refusal', async () => {
    await expect(server.client('alice', { token: 'v1.1.deadbeef' })).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });
});

describe('signal tokens', () => {
  it('match the documented test vector (docs/protocol.md)', () => {
    expect(mintUserToken('0123456789abcdef0123456789abcdef', 'alice', 1767225600)).toBe('v1.1767225600.ac8552ee7ca035f729580369c9d0855a268673d7b0d8e846a1e31fee89735c30');
  });

  it('verify with the documented formula and refuse a changed user id', () => {
    const token = mintUserToken('k'.repeat(16), 'alice', 2_000_000_000);
    expect(token).toMatch(/^v1\.2000000000\.[0-9a-f]{64}$/);
    expect(verifyUserToken('k'.repeat(16), 'alice', token, 0)).toBe(2_000_000_000);
    expect(() => verifyUserToken('k'.repeat(16), 'alicf', token, 0)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
    expect(() => verifyUserToken('k'.repeat(16), 'alice', undefined, 0)).toThrow(expect.objectContaining({ code: 'TOKEN_MISSING' }));
  });

  it('are refused when dev login is disabled', async () => {
    const server = await startSignalServer({ devLogin: false });
    try {
      const response = await fetch(`${server.httpUrl}/api/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'alice' }) });
      expect(response.status).toBe(404);
      // Tokens minted by the operator's backend with the same key still work.
      const socket: RawSocket = await server.raw();
      const answer = await socket.request({ id: 'h', type: 'hello', userId: 'alice', token: mintUserToken(TEST_TOKEN_KEY, 'alice', Math.floor(Date.now() / 1000) + 600) });
      expect(answer.type).toBe('result');
    } finally {
      await server.close();
    }
  });
});
