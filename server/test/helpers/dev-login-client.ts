// A signalling client of a test server, logged in through its dev login and connected.
import WebSocket from 'ws';
import { SignalClient } from '../../../common/signal/signal-client';
import type { LinkMicServer } from '../../link-mic-server';

export async function devLoginClient(server: LinkMicServer, userId: string): Promise<SignalClient> {
  const response = await fetch(`${server.httpUrl}/api/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
  const { token } = (await response.json()) as { token: string };
  const client = new SignalClient({ url: `${server.wsUrl}/signal`, userId, token, createWebSocket: (url) => new WebSocket(url) as never });
  await client.connect();
  return client;
}
