// /signal under hostile input (issue 11 item 2, seeded and bounded): every bad message gets an
// error with a stable code, the server still answers a fresh client, other users' rooms are
// undisturbed; a token's expiry holds on an open connection (item 4).
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isErrorCode } from '../../common/errors';
import type { z } from 'zod';
import { REQUESTS, REQUEST_TYPES, clientMessageSchema } from '../../common/signal/messages';
import { RawSocket, startSignalServer, type SignalTestServer } from './signal-harness';
import { SeededRandom } from './helpers/seeded-random';

const SEED = 0x5161;

/** Garbage values of every JSON kind, for fields of the wrong type. */
function garbage(random: SeededRandom, depth = 0): unknown {
  switch (random.int(0, depth > 2 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return random.int(-1e9, 1e9) / random.int(1, 7);
    case 2:
      return random.next() < 0.5;
    case 3:
      return 'x'.repeat(random.int(0, 300));
    case 4:
      return random.bytes(random.int(0, 40)).toString('latin1');
    case 5:
      return -0;
    case 6:
      return Array.from({ length: random.int(0, 4) }, () => garbage(random, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: random.int(0, 4) }, (_, i) => [`k${i}`, garbage(random, depth + 1)]));
  }
}

function codeOf(message: Record<string, unknown>): string | undefined {
  return (message.error as { code?: string } | undefined)?.code;
}

describe('/signal under hostile input', () => {
  let server: SignalTestServer;
  let victim: RawSocket;
  let victimRoom: string;

  beforeEach(async () => {
    server = await startSignalServer({ heartbeatMs: 3_600_000 });
    victim = await server.raw('victim');
    const opened = await victim.request({ id: 'open', type: 'room.open', streamCode: 'victimcode' });
    expect(opened.type).toBe('result');
    const result = opened.result as { room?: { roomId?: string }; roomId?: string };
    victimRoom = result.room?.roomId ?? result.roomId ?? '';
    expect(victimRoom).not.toBe('');
  });
  afterEach(async () => {
    await server?.close();
  });

  /** The victim's room is still open and a fresh client is answered. */
  async function expectUndisturbed(): Promise<void> {
    const viewer = await server.raw(`viewer${Math.floor(Math.random() * 1e6)}`);
    const joined = await viewer.request({ id: 'j', type: 'room.join', roomId: victimRoom });
    expect(joined.type).toBe('result');
    expect((await victim.request({ id: `p${Date.now()}`, type: 'ping' })).type).toBe('result');
    viewer.close();
  }

  it('answers malformed JSON, binary frames, deep nesting and unknown types with stable codes', async () => {
    const random = new SeededRandom(SEED);
    const attacker = await server.raw('attacker');
    const answers: Record<string, unknown>[] = [];
    const inputs: Array<string | Buffer> = [
      ...Array.from({ length: 40 }, () => random.bytes(random.int(1, 200)).toString('latin1')),
      ...Array.from({ length: 10 }, () => random.bytes(random.int(1, 200))),
      '[',
      '{"id":"x"',
      '"just a string"',
      '42',
      'null',
      '[]',
      `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
      JSON.stringify({ id: 'deep', type: 'ping', nested: JSON.parse(`${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`) as unknown }),
      ...Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: `u${i}`, type: `no.such.type.${i}` })),
    ];
    for (const input of inputs) {
      attacker.sendText(input);
      answers.push(await attacker.next((m) => m.type === 'error' || m.type === 'result'));
    }
    const codes = answers.map(codeOf).filter((code) => code !== undefined);
    expect(codes.length).toBeGreaterThan(inputs.length - 2); // the deep `ping` may be accepted
    for (const code of codes) expect(isErrorCode(code), `code ${code}`).toBe(true);
    expect(codes).toContain('INVALID_MESSAGE');
    expect(codes).toContain('UNKNOWN_MESSAGE_TYPE');
    expect(attacker.closeCode).toBeUndefined();
    await expectUndisturbed();
  });

  /** A value (as it crosses JSON) that `schema` refuses, drawn again until it is (bounded); undefined when it accepts all it was offered. */
  function refusedValue(random: SeededRandom, schema: z.ZodType): unknown {
    for (let attempt = 0; attempt < 50; attempt++) {
      const value = JSON.parse(JSON.stringify(garbage(random)) ?? 'null') as unknown;
      if (!schema.safeParse(value).success) return value;
    }
    return undefined;
  }

  it('answers wrong field types for every request type with INVALID_MESSAGE naming a field, never a result (seeded, 8 per type)', async () => {
    const random = new SeededRandom(SEED + 1);
    const attacker = await server.raw('attacker');
    let sent = 0;
    for (const type of REQUEST_TYPES.filter((name) => name !== 'hello')) {
      const shape = REQUESTS[type].params.shape as Record<string, z.ZodType>;
      for (let i = 0; i < 8; i++) {
        // Every field of the type gets a value its schema refuses; a field that takes any value (c2c `body`) gets garbage.
        const wrong = Object.entries(shape).flatMap(([name, schema]) => {
          const value = refusedValue(random, schema);
          return value === undefined ? [] : [[name, value] as const];
        });
        const noise = Object.fromEntries(['text', 'from', 'userId', 'body'].map((name) => [name, garbage(random)]));
        const answer = await attacker.request({ ...noise, ...Object.fromEntries(wrong), id: `w${sent++}`, type });
        if (wrong.length === 0) {
          // Only `ping`: it has no fields to get wrong, and unknown keys are dropped (docs/protocol.md §2).
          expect(type).toBe('ping');
          expect(answer.type).toBe('result');
        } else {
          expect(answer.type, `${type}: ${JSON.stringify(answer)}`).toBe('error');
          expect(codeOf(answer), `${type}: ${JSON.stringify(answer.error)}`).toBe('INVALID_MESSAGE');
          const field = (answer.error as { field?: string }).field ?? '';
          expect(wrong.map(([name]) => name), `${type}: field ${field}`).toContain(field.split('.')[0]);
        }
        // pace below the rate limit: this spec is about types, not floods
        if (sent % 40 === 0) server.clock.advance(1000);
      }
    }
    expect(attacker.closeCode).toBeUndefined();
    await expectUndisturbed();
  });

  it('answers fields of random values (some valid by chance) for every request type: INVALID_MESSAGE when the request is malformed, never INTERNAL (seeded, 8 per type)', async () => {
    const random = new SeededRandom(SEED + 2);
    const attacker = await server.raw('attacker');
    let sent = 0;
    let malformed = 0;
    let wellFormed = 0;
    for (const type of REQUEST_TYPES.filter((name) => name !== 'hello')) {
      for (let i = 0; i < 8; i++) {
        const fields = Object.fromEntries(['roomId', 'streamCode', 'requestId', 'linkId', 'pkId', 'userId', 'to', 'text', 'layout', 'guestLimit', 'kind', 'durationSec', 'serverMix', 'reason'].map((name) => [name, garbage(random)]));
        const message = JSON.parse(JSON.stringify({ ...fields, id: `v${sent++}`, type })) as Record<string, unknown>;
        const answer = await attacker.request(message);
        const context = `${type}: ${JSON.stringify(answer.error ?? answer.result)}`;
        expect(codeOf(answer), context).not.toBe('INTERNAL');
        if (clientMessageSchema.safeParse(message).success) {
          // Well-formed by chance (a string that is a valid id, say): the hub answers it, a result or its own refusal.
          wellFormed += 1;
          if (answer.type === 'error') expect(isErrorCode(codeOf(answer)), context).toBe(true);
          else expect(answer.type).toBe('result');
        } else {
          malformed += 1;
          expect(answer.type, context).toBe('error');
          expect(codeOf(answer), context).toBe('INVALID_MESSAGE');
        }
        if (sent % 40 === 0) server.clock.advance(1000);
      }
    }
    // this seed sends both kinds (148 malformed, 20 well-formed: the pings among them)
    expect(wellFormed).toBeGreaterThan(8);
    expect(malformed).toBeGreaterThan(wellFormed);
    expect(attacker.closeCode).toBeUndefined();
    await expectUndisturbed();
  });

  it('refuses requests before hello, spoofed user ids, and acting on another user’s room; duplicate ids are each answered', async () => {
    const anonymous = await server.raw();
    const before = await anonymous.request({ id: 'b', type: 'room.close', roomId: victimRoom });
    expect(codeOf(before)).toBe('TOKEN_MISSING');

    const spoof = await server.raw();
    const hello = await spoof.request({ id: 'h', type: 'hello', userId: 'victim', token: server.token('attacker') });
    expect(codeOf(hello)).toBe('TOKEN_INVALID');
    expect(await spoof.waitClosed()).toBe(4401);

    const attacker = await server.raw('attacker');
    for (const type of ['room.close', 'room.update']) {
      const answer = await attacker.request({ id: `a-${type}`, type, roomId: victimRoom });
      expect(answer.type, type).toBe('error');
      expect(isErrorCode(codeOf(answer))).toBe(true);
    }
    attacker.sendText(JSON.stringify({ id: 'dup', type: 'ping' }));
    attacker.sendText(JSON.stringify({ id: 'dup', type: 'ping' }));
    expect((await attacker.next((m) => m.id === 'dup')).type).toBe('result');
    expect((await attacker.next((m) => m.id === 'dup')).type).toBe('result');
    await expectUndisturbed();
  });

  it('answers 1 MB and 10 MB frames and a flood with stable codes, and keeps serving', async () => {
    const big = await server.raw('big');
    big.sendText(JSON.stringify({ id: 'm1', type: 'ping', pad: 'x'.repeat(1024 * 1024) }));
    const first = await Promise.race([big.next((m) => m.type === 'error'), big.waitClosed().then((code) => ({ closed: code }))]);
    if ('closed' in first) expect(first.closed).toBe(1009);
    else expect(codeOf(first)).toBe('MESSAGE_TOO_LARGE');

    const huge = await server.raw('huge');
    huge.sendText(Buffer.alloc(10 * 1024 * 1024, 0x61));
    expect(await huge.waitClosed()).toBe(1009); // over the WebSocket frame bound: closed "message too big"

    const flooder = await server.raw('flooder');
    const FLOOD = 600;
    for (let i = 0; i < FLOOD; i++) flooder.sendText(JSON.stringify({ id: `f${i}`, type: 'ping' }));
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < FLOOD; i++) {
      const answer = await flooder.next((m) => typeof m.id === 'string' && m.id.startsWith('f'));
      codes.push(answer.type === 'result' ? 'ok' : codeOf(answer));
    }
    expect(codes).toContain('RATE_LIMITED');
    for (const code of codes) expect(code === 'ok' || isErrorCode(code)).toBe(true);
    await expectUndisturbed();
  });

  it('holds RSS bounded across 20 rounds of 500 connections opened and reset', async () => {
    const upgrade = Buffer.from(`GET /signal HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    const rss: number[] = [];
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        Array.from(
          { length: 500 },
          () =>
            new Promise<void>((resolve) => {
              const socket = net.connect({ host: '127.0.0.1', port: server.port });
              socket.on('error', () => undefined);
              socket.on('close', () => resolve());
              socket.on('connect', () => socket.write(upgrade, () => socket.resetAndDestroy()));
            }),
        ),
      );
      rss.push(process.memoryUsage().rss);
    }
    const growth = Math.max(...rss.slice(5)) - rss[4]!;
    expect(growth, `RSS per round (MB): ${rss.map((b) => Math.round(b / 1e6)).join(' ')}`).toBeLessThan(96 * 1024 * 1024);
    await expectUndisturbed();
  });

  it('closes an open connection with TOKEN_EXPIRED (4401) when its token expires; other users stay connected', async () => {
    const shortLived = await RawSocket.open(server.wsUrl);
    const hello = await shortLived.request({ id: 'h', type: 'hello', userId: 'brief', token: server.token('brief', 90) });
    expect(hello.type).toBe('result');
    server.clock.advance(60_000);
    expect((await shortLived.request({ id: 'still', type: 'ping' })).type).toBe('result');
    server.clock.advance(31_000);
    const expired = await shortLived.next((m) => m.type === 'error');
    expect(codeOf(expired)).toBe('TOKEN_EXPIRED');
    expect(await shortLived.waitClosed()).toBe(4401);
    await expectUndisturbed();
  });
});
