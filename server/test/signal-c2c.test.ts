import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SIGNAL_LIMITS } from '../signal/signal-limiter';
import { RawSocket, nextEvent, startSignalServer, type SignalTestServer } from './signal-harness';

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

  it("caps what 20 sockets of one user flooding C2C deliver to a victim by the user's limits (issue #17.4)", async () => {
    // Defaults: 10 connections and a burst of 200 messages per user; the clock is frozen, so nothing refills.
    const { maxConnectionsPerUser, userRate } = DEFAULT_SIGNAL_LIMITS;
    const victim = await server.raw('victim');
    const sockets = await Promise.all(Array.from({ length: 20 }, () => RawSocket.open(server.wsUrl)));
    const hellos = await Promise.all(sockets.map((socket, i) => socket.request({ id: `h${i}`, type: 'hello', userId: 'flooder', token: server.token('flooder') })));
    const admitted = sockets.filter((_, i) => hellos[i]!.type === 'result');
    expect(admitted).toHaveLength(maxConnectionsPerUser);
    expect(hellos.filter((answer) => answer.type === 'error').map((answer) => (answer.error as { code: string }).code)).toEqual(Array(20 - maxConnectionsPerUser).fill('RATE_LIMITED'));

    // 50 messages from each admitted socket: within each connection's burst (100), over the user's (200) together.
    const PER_SOCKET = 50;
    for (const [s, socket] of admitted.entries()) {
      for (let i = 0; i < PER_SOCKET; i += 1) socket.sendText(JSON.stringify({ id: `s${s}m${i}`, type: 'c2c.send', to: 'victim', body: { i } }));
    }
    const answers = await Promise.all(admitted.flatMap((socket, s) => Array.from({ length: PER_SOCKET }, (_, i) => socket.next((m) => m.id === `s${s}m${i}`))));
    const delivered = answers.filter((answer) => answer.type === 'result');
    const limited = answers.filter((answer) => (answer.error as { code?: string } | undefined)?.code === 'RATE_LIMITED');
    expect(delivered).toHaveLength(userRate.burst);
    expect(limited).toHaveLength(admitted.length * PER_SOCKET - userRate.burst);
    expect((limited[0]!.error as { message: string }).message).toContain('user flooder');

    // The victim got exactly the delivered ones (its ping answer comes after every event sent before it), and still works.
    expect((await victim.request({ id: 'after', type: 'ping' })).type).toBe('result');
    const received: unknown[] = [];
    for (let i = 0; i < admitted.length * PER_SOCKET; i += 1) {
      const message = await victim.next((m) => m.type === 'c2c.message', 100).catch(() => undefined);
      if (message === undefined) break;
      received.push(message);
    }
    expect(received).toHaveLength(userRate.burst);
    for (const socket of sockets) socket.close();
  });
});
