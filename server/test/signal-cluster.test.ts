// Issue 15 item 3: signalling on several nodes. One real redis-server and two (or three) real
// server processes sharing it (--redis-url): users on different nodes link, PK and exchange C2C
// messages; a node killed by PID mid-PK loses only its sockets, and its clients continue on the
// other node with the PK and the link intact.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalClient } from '../../common/signal/signal-client';
import { nodeClient, startRedis, startServerNode, type RedisChild, type ServerNode } from './helpers/signal-nodes';

describe('signalling on several nodes (Redis)', () => {
  let redis: RedisChild;
  const nodes: ServerNode[] = [];
  const clients: SignalClient[] = [];

  // A fresh Redis per test: the state of one test (kept for the grace) must not meet the next.
  beforeEach(async () => {
    redis = await startRedis();
  }, 30_000);
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(nodes.splice(0).map((node) => node.child.stop()));
    await redis.child.stop();
  });

  async function twoNodes(): Promise<[ServerNode, ServerNode]> {
    const started = await Promise.all(['a', 'b'].map((name) => startServerNode(['--http-port', '0', '--redis-url', redis.url, '--node-id', name])));
    nodes.push(...started);
    return started as [ServerNode, ServerNode];
  }

  /** A client on `home`, falling back to `other` when `home` is gone. */
  async function clientOn(home: ServerNode, other: ServerNode, userId: string): Promise<SignalClient> {
    const client = await nodeClient(home.wsUrl, userId, { fallbackUrls: [other.wsUrl] });
    clients.push(client);
    return client;
  }

  it('lets users on different nodes exchange C2C messages, link and PK', async () => {
    const [a, b] = await twoNodes();
    const host1 = await clientOn(a, b, 'host1');
    const host2 = await clientOn(b, a, 'host2');
    const guest = await clientOn(b, a, 'guest');
    const opened1 = await host1.openRoom({ streamCode: 'room1' });
    const opened2 = await host2.openRoom({ streamCode: 'room2' });
    expect(opened1.room.sessionId).not.toBe(opened2.room.sessionId);

    // C2C from node a to node b, and back.
    const arrived = host2.events.next('c2c.message', 10_000);
    expect(await host1.sendC2C('host2', { hello: 'from a' })).toEqual({ delivered: 1 });
    expect(await arrived).toMatchObject({ from: 'host1', body: { hello: 'from a' } });
    const back = host1.events.next('c2c.message', 10_000);
    await host2.sendC2C('host1', { hello: 'from b' });
    expect(await back).toMatchObject({ from: 'host2', body: { hello: 'from b' } });
    await expect(host1.sendC2C('nobody', {})).rejects.toMatchObject({ code: 'USER_OFFLINE' });

    // A stream code taken on one node is taken on the other.
    await expect(guest.openRoom({ streamCode: 'room1' })).rejects.toMatchObject({ code: 'STREAM_CODE_TAKEN' });

    // A guest on node b links to the room of a host on node a.
    const requested = host1.events.next('link.requested', 10_000);
    await guest.requestLink('room1', 'guest1');
    const guestLinked = guest.events.next('link.started', 10_000);
    const hostView = await host1.acceptLink((await requested).requestId);
    expect(await guestLinked).toMatchObject({ linkId: hostView.linkId, role: 'guest', sessionId: opened1.room.sessionId, peer: { userId: 'host1', streamCode: 'room1' } });

    // A PK between the host on a and the host on b, each with the other's session_id.
    const invited = host2.events.next('pk.invited', 10_000);
    const inviterStarted = host1.events.next('pk.started', 10_000);
    await host1.invitePk('room2');
    const inviteeView = await host2.acceptPk((await invited).pkId);
    expect(inviteeView.peer).toMatchObject({ userId: 'host1', roomId: 'room1', sessionId: opened1.room.sessionId });
    expect((await inviterStarted).peer).toMatchObject({ userId: 'host2', roomId: 'room2', sessionId: opened2.room.sessionId });

    // The second node answers with the same room state as the first.
    const viewer = await clientOn(a, b, 'viewer1');
    const joined = await viewer.joinRoom('room2');
    expect(joined.room.pk).toMatchObject({ pkId: inviteeView.pkId, peerRoomId: 'room1' });
  }, 120_000);

  it('keeps a PK and a link when a node is killed mid-PK: its clients continue on the other node', async () => {
    const [a, b] = await twoNodes();
    const host1 = await clientOn(a, b, 'host1');
    const guest = await clientOn(a, b, 'guest');
    const host2 = await clientOn(b, a, 'host2');
    await host1.openRoom({ streamCode: 'room1' });
    await host2.openRoom({ streamCode: 'room2' });
    const invited = host2.events.next('pk.invited', 10_000);
    await host1.invitePk('room2');
    const pk = await host2.acceptPk((await invited).pkId);
    const requested = host2.events.next('link.requested', 10_000);
    await guest.requestLink('room2', 'guest1');
    const guestLinked = guest.events.next('link.started', 10_000);
    const link = await host2.acceptLink((await requested).requestId);
    await guestLinked;

    const ended: string[] = [];
    for (const client of [host1, host2, guest]) {
      client.events.on('link.ended', (event) => ended.push(`${client.userId}: link.ended ${event.reason}`));
      client.events.on('pk.ended', (event) => ended.push(`${client.userId}: pk.ended ${event.reason}`));
      client.events.on('room.closed', (event) => ended.push(`${client.userId}: room.closed ${event.reason}`));
    }
    const host1Back = host1.events.next('connected', 60_000);
    const guestBack = guest.events.next('connected', 60_000);
    a.child.process.kill('SIGKILL');
    await a.child.exited;

    const [hello1, helloGuest] = await Promise.all([host1Back, guestBack]);
    expect(host1.currentUrl).toBe(b.wsUrl);
    expect(guest.currentUrl).toBe(b.wsUrl);
    expect(hello1.resumed).toBe(true);
    expect(hello1.state.pk).toMatchObject({ pkId: pk.pkId, peer: { userId: 'host2', roomId: 'room2' } });
    expect(hello1.state.hostedRoom).toMatchObject({ roomId: 'room1', pk: { pkId: pk.pkId } });
    expect(helloGuest.state.links.map((l) => l.linkId)).toEqual([link.linkId]);

    // On the surviving node everything continues: C2C, then the PK ends only when a host ends it.
    const arrived = host2.events.next('c2c.message', 10_000);
    await host1.sendC2C('host2', { still: 'here' });
    expect(await arrived).toMatchObject({ from: 'host1', body: { still: 'here' } });
    const host1SawEnd = host1.events.next('pk.ended', 10_000);
    await host2.endPk(pk.pkId);
    expect(await host1SawEnd).toMatchObject({ pkId: pk.pkId, reason: 'ended', by: 'host2' });
    const hostSawHangup = host2.events.next('link.ended', 10_000);
    const guestSawHangup = guest.events.next('link.ended', 10_000);
    await guest.hangUp(link.linkId);
    expect(await hostSawHangup).toMatchObject({ linkId: link.linkId, reason: 'hangup' });
    expect(await guestSawHangup).toMatchObject({ linkId: link.linkId, reason: 'hangup' });
    // Each client hears each ending once; the two link.ended frames go to two sockets, so their order is not fixed.
    expect([...ended].sort()).toEqual(
      ['guest: link.ended hangup', 'host1: pk.ended ended', 'host2: link.ended hangup', 'host2: pk.ended ended'],
    );
  }, 120_000);

  it('gives a node that joins later the state the others hold', async () => {
    const [a, b] = await twoNodes();
    const host1 = await clientOn(a, b, 'host1');
    const host2 = await clientOn(b, a, 'host2');
    await host1.openRoom({ streamCode: 'room1' });
    await host2.openRoom({ streamCode: 'room2' });
    const invited = host2.events.next('pk.invited', 10_000);
    await host1.invitePk('room2');
    const pk = await host2.acceptPk((await invited).pkId);
    const c = await startServerNode(['--http-port', '0', '--redis-url', redis.url, '--node-id', 'c']);
    nodes.push(c);
    const viewer = await clientOn(c, a, 'viewer1');
    const joined = await viewer.joinRoom('room1');
    expect(joined.room).toMatchObject({ hostUserId: 'host1', pk: { pkId: pk.pkId, peerRoomId: 'room2' } });
    const arrived = host1.events.next('c2c.message', 10_000);
    await viewer.sendC2C('host1', { from: 'c' });
    expect(await arrived).toMatchObject({ from: 'viewer1' });
  }, 120_000);
});
