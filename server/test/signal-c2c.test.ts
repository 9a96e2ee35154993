import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextEvent, startSignalServer, type SignalTestServer } from './signal-harness';

describe('signal C2C', () => {
  let server: SignalTestServer;
  beforeEach(async () => {
    server = await startSignalServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it("delivers a direct message to every one of the recipient's connections", async () => {
    const alice = await server.client('alice');
    const bobDesk = await server.client('bob');
    const bobPhone = await server.client('bob');
    const onDesk = nextEvent(bobDesk, 'c2c.message');
    const onPhone = nextEvent(bobPhone, 'c2c.message');
    const result = await alice.sendC2C('bob', { text: 'hi' });
    expect(result.delivered).toBe(2);
    for (const message of await Promise.all([onDesk, onPhone])) {
      expect(message).toMatchObject({ from: 'alice', body: { text: 'hi' } });
    }
  });

  it('answers a message to an offline user with USER_OFFLINE instead of dropping it', async () => {
    const alice = await server.client('alice');
    await expect(alice.sendC2C('nobody', 'hello?')).rejects.toMatchObject({ code: 'USER_OFFLINE', field: 'to' });
  });

  it('sets `from` itself and ignores a spoofed `from` from the client', async () => {
    const bob = await server.client('bob');
    const mallory = await server.raw('mallory');
    const received = nextEvent(bob, 'c2c.message');
    const answer = await mallory.request({ id: 'm1', type: 'c2c.send', to: 'bob', from: 'alice', body: 'trust me' });
    expect(answer).toMatchObject({ type: 'result', id: 'm1', result: { delivered: 1 } });
    expect((await received).from).toBe('mallory');
  });

  it('lets a user message itself on its other connections', async () => {
    const first = await server.client('carol');
    const second = await server.client('carol');
    const received = nextEvent(second, 'c2c.message');
    expect((await first.sendC2C('carol', 1)).delivered).toBe(2);
    expect((await received).from).toBe('carol');
  });
});
