// Limits that count across connections (issue 11 item 3, issue 17 item 4): per user over all of
// its sockets, per IP address, and frames that are not JSON count too. The clock is frozen, so a
// bucket never refills inside a test: each limit is reached by count, not by time.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SIGNAL_LIMITS } from '../signal/signal-limiter';
import { RawSocket, startSignalServer, type SignalTestServer } from './signal-harness';

const codeOf = (message: Record<string, unknown>): unknown => (message.error as { code?: unknown } | undefined)?.code;
const isError = (message: Record<string, unknown>): boolean => message.type === 'error';

describe('signalling limits per user and per IP', () => {
  let server: SignalTestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("counts one user's messages over all of its sockets and answers RATE_LIMITED", async () => {
    server = await startSignalServer({ limits: { ...DEFAULT_SIGNAL_LIMITS, userRate: { burst: 6, perSecond: 1 } } });
    const first = await server.raw('alice');
    const second = await server.raw('alice');
    // 4 frames from each socket: together more than the user's burst of 6, each alone within it.
    for (let i = 0; i < 4; i += 1) first.sendText(JSON.stringify({ id: `a${i}`, type: 'no.such.type' }));
    for (let i = 0; i < 4; i += 1) second.sendText(JSON.stringify({ id: `b${i}`, type: 'no.such.type' }));
    const limited = await second.next((m) => codeOf(m) === 'RATE_LIMITED');
    expect(limited.type).toBe('error');
    // Another user is not limited by alice's traffic.
    const bob = await server.raw('bob');
    const answer = await bob.request({ id: 'x', type: 'no.such.type' });
    expect(codeOf(answer)).toBe('UNKNOWN_MESSAGE_TYPE');
  });

  it("counts one address's messages over all of its sockets and users, answers RATE_LIMITED, and refills with time", async () => {
    // Per-connection and per-user budgets stay far above what is sent: only the address's burst of 6 can run out.
    server = await startSignalServer({ limits: { ...DEFAULT_SIGNAL_LIMITS, ipRate: { burst: 6, perSecond: 1 } } });
    const alice = await server.raw('alice');
    const bob = await server.raw('bob');
    const anonymous = await server.raw();
    // hello of alice and bob took 2 of the 6; 2 frames from each of three sockets take 6 more.
    for (const [socket, name] of [[alice, 'a'], [bob, 'b'], [anonymous, 'n']] as const) {
      for (let i = 0; i < 2; i += 1) socket.sendText(JSON.stringify({ id: `${name}${i}`, type: 'no.such.type' }));
    }
    const answers = await Promise.all(
      [alice, bob, anonymous].flatMap((socket, s) => [0, 1].map((i) => socket.next((m) => m.id === `${'abn'[s]}${i}`))),
    );
    const codes = answers.map(codeOf);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(2);
    expect(codes.filter((code) => code !== 'RATE_LIMITED').every((code) => code === 'UNKNOWN_MESSAGE_TYPE' || code === 'TOKEN_MISSING')).toBe(true);
    const limited = answers.find((m) => codeOf(m) === 'RATE_LIMITED')!;
    expect((limited.error as { message: string }).message).toContain('this address');
    // Refused frames do not close the sockets; after 3 s of refill (1/s) the address is answered again.
    server.clock.advance(3000);
    expect(codeOf(await bob.request({ id: 'later', type: 'no.such.type' }))).toBe('UNKNOWN_MESSAGE_TYPE');
    expect([alice.closeCode, bob.closeCode, anonymous.closeCode]).toEqual([undefined, undefined, undefined]);
  });

  it('counts frames that are not JSON, and refuses binary frames with INVALID_MESSAGE', async () => {
    server = await startSignalServer({ limits: { ...DEFAULT_SIGNAL_LIMITS, userRate: { burst: 4, perSecond: 1 } } });
    const socket = await server.raw('carol');
    socket.sendText(Buffer.from(JSON.stringify({ id: 'bin', type: 'no.such.type' })));
    expect(codeOf(await socket.next(isError))).toBe('INVALID_MESSAGE');
    socket.sendText('not json at all');
    expect(codeOf(await socket.next(isError))).toBe('INVALID_MESSAGE');
    socket.sendText('still not json');
    expect(codeOf(await socket.next(isError))).toBe('INVALID_MESSAGE');
    for (let i = 0; i < 3; i += 1) socket.sendText('and again');
    expect(codeOf(await socket.next((m) => codeOf(m) === 'RATE_LIMITED'))).toBe('RATE_LIMITED');
  });

  it('refuses JSON nested 30,000 deep with INVALID_MESSAGE, and the connection keeps working', async () => {
    server = await startSignalServer();
    const socket = await server.raw('dave');
    socket.sendText(`${'['.repeat(30_000)}${']'.repeat(30_000)}`);
    expect(codeOf(await socket.next(isError))).toBe('INVALID_MESSAGE');
    const after = await socket.request({ id: 'after', type: 'no.such.type' });
    expect(codeOf(after)).toBe('UNKNOWN_MESSAGE_TYPE');
    expect(socket.closeCode).toBeUndefined();
  });

  it('answers a connection over the per-IP limit with RATE_LIMITED and close 4429; the others keep working', async () => {
    server = await startSignalServer({ limits: { ...DEFAULT_SIGNAL_LIMITS, maxConnectionsPerIp: 2 } });
    const kept = await server.raw('erin');
    await RawSocket.open(server.wsUrl);
    const refused = await RawSocket.open(server.wsUrl);
    expect(codeOf(await refused.next(isError))).toBe('RATE_LIMITED');
    expect(await refused.waitClosed()).toBe(4429);
    const answer = await kept.request({ id: 'still', type: 'no.such.type' });
    expect(codeOf(answer)).toBe('UNKNOWN_MESSAGE_TYPE');
  });

  it("refuses a user's connection over the per-user limit with RATE_LIMITED", async () => {
    server = await startSignalServer({ limits: { ...DEFAULT_SIGNAL_LIMITS, maxConnectionsPerUser: 2 } });
    await server.raw('frank');
    await server.raw('frank');
    await expect(server.raw('frank')).rejects.toThrow(/RATE_LIMITED/);
  });
});
