import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCodeOf, rawHttp } from './helpers/raw-http';
import { startSignalServer, type SignalTestServer } from './signal-harness';

describe('dev-login answers only this machine\'s own callers', () => {
  let server: SignalTestServer;
  const body = JSON.stringify({ userId: 'streamer' });
  const own = (): Record<string, string> => ({ host: `127.0.0.1:${server.port}`, 'content-type': 'application/json' });
  const login = (headers: Record<string, string>, text = body) => rawHttp(server.port, { path: '/api/dev-login', headers, body: text });

  beforeEach(async () => {
    server = await startSignalServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('mints a token for a loopback Host with its own port and a JSON body', async () => {
    const answer = await login(own());
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ userId: 'streamer' });
    expect((await login({ ...own(), host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('refuses a DNS-rebinding Host (another name, or another port) with 421 HOST_NOT_ALLOWED', async () => {
    for (const host of [`evil.example:${server.port}`, '127.0.0.1:1', 'evil.example', '']) {
      const answer = await login({ ...own(), host });
      expect(answer.status, host).toBe(421);
      expect(errorCodeOf(answer)).toBe('HOST_NOT_ALLOWED');
    }
  });

  it('refuses a page of another origin with 403 ORIGIN_NOT_ALLOWED, and allows its own origin', async () => {
    const refused = await login({ ...own(), origin: 'http://evil.example' });
    expect(refused.status).toBe(403);
    expect(errorCodeOf(refused)).toBe('ORIGIN_NOT_ALLOWED');
    expect(errorCodeOf(await login({ ...own(), origin: 'null' }))).toBe('ORIGIN_NOT_ALLOWED');
    expect((await login({ ...own(), origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
  });

  it('refuses a body that is not sent as application/json with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const answer = await login({ ...own(), 'content-type': type });
      expect(answer.status, type).toBe(415);
      expect(errorCodeOf(answer)).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const none = await login({ host: `127.0.0.1:${server.port}` });
    expect(none.status).toBe(415);
    expect((await login({ ...own(), 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('refuses an oversized body with 413 MESSAGE_TOO_LARGE', async () => {
    const answer = await login(own(), JSON.stringify({ userId: 'streamer', pad: 'x'.repeat(4000) }));
    expect(answer.status).toBe(413);
    expect(errorCodeOf(answer)).toBe('MESSAGE_TOO_LARGE');
  });

  it('answers a 30,000-deep JSON body with 400 and a stable code, not INTERNAL', async () => {
    const deep = '['.repeat(30_000) + ']'.repeat(30_000);
    const big = await login(own(), deep);
    expect(big.status).toBe(413);
    const shallowDeep = '['.repeat(500) + ']'.repeat(500);
    const answer = await login(own(), shallowDeep);
    expect(answer.status).toBe(400);
    expect(['INVALID_MESSAGE', 'INVALID_ARGUMENT']).toContain(errorCodeOf(answer));
  });
});
