import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSignalServer, type SignalTestServer } from './signal-harness';

const isAnswer = (id: string | null) => (m: Record<string, unknown>) => (m.type === 'error' || m.type === 'result') && m.id === id;

describe('signal input validation', () => {
  let server: SignalTestServer;
  beforeEach(async () => {
    server = await startSignalServer({ rateLimit: { burst: 20, perSecond: 1 } });
  });
  afterEach(async () => {
    await server.close();
  });

  it('answers malformed JSON with INVALID_MESSAGE and keeps the connection working', async () => {
    const socket = await server.raw('alice');
    socket.sendText('{"id": "1", "type": ');
    expect(await socket.next(isAnswer(null))).toMatchObject({ type: 'error', error: { code: 'INVALID_MESSAGE' } });
    expect(await socket.request({ id: 'p', type: 'ping' })).toMatchObject({ type: 'result', id: 'p' });
  });

  it('answers an unknown type with UNKNOWN_MESSAGE_TYPE and the id it answers', async () => {
    const socket = await server.raw('alice');
    expect(await socket.request({ id: 'u1', type: 'room.explode' })).toMatchObject({ type: 'error', id: 'u1', error: { code: 'UNKNOWN_MESSAGE_TYPE', field: 'type' } });
  });

  it('answers a message without an id with INVALID_MESSAGE naming the id field', async () => {
    const socket = await server.raw('alice');
    socket.sendText(JSON.stringify({ type: 'ping' }));
    expect(await socket.next(isAnswer(null))).toMatchObject({ error: { code: 'INVALID_MESSAGE', field: 'id' } });
  });

  it('answers a bad field with INVALID_MESSAGE naming the field', async () => {
    const socket = await server.raw('alice');
    const answer = await socket.request({ id: 'b1', type: 'room.open', streamCode: 'has spaces' });
    expect(answer).toMatchObject({ type: 'error', id: 'b1', error: { code: 'INVALID_MESSAGE', field: 'streamCode' } });
  });

  it('answers an oversized message with MESSAGE_TOO_LARGE and keeps the connection', async () => {
    const socket = await server.raw('alice');
    socket.sendText(JSON.stringify({ id: 'big', type: 'c2c.send', to: 'alice', body: 'x'.repeat(70 * 1024) }));
    expect(await socket.next(isAnswer(null))).toMatchObject({ type: 'error', error: { code: 'MESSAGE_TOO_LARGE' } });
    expect(await socket.request({ id: 'p', type: 'ping' })).toMatchObject({ type: 'result', id: 'p' });
  });

  it('answers a binary frame with INVALID_MESSAGE', async () => {
    const socket = await server.raw('alice');
    socket.sendText(Buffer.from([0xff, 0x00, 0x01]));
    expect(await socket.next(isAnswer(null))).toMatchObject({ error: { code: 'INVALID_MESSAGE' } });
  });

  it('rate-limits a connection that floods, and recovers once the bucket refills', async () => {
    const socket = await server.raw('alice');
    for (let i = 0; i < 30; i++) socket.sendText(JSON.stringify({ id: `f${i}`, type: 'ping' }));
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => socket.next(isAnswer(`f${i}`))));
    const limited = answers.filter((a) => a.type === 'error');
    // burst 20, the hello took one token
    expect(limited.length).toBe(11);
    expect(limited[0]).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    server.clock.advance(5_000);
    expect(await socket.request({ id: 'after', type: 'ping' })).toMatchObject({ type: 'result' });
  });

  it('answers a second hello with INVALID_STATE', async () => {
    const socket = await server.raw('alice');
    expect(await socket.request({ id: 'h2', type: 'hello', userId: 'alice', token: server.token('alice') })).toMatchObject({ type: 'error', id: 'h2', error: { code: 'INVALID_STATE' } });
  });
});
