// Signal-only link-mic guests for the quota scenario: each joins the room and asks to link, and
// never pushes media. Prints `{"event":"ready"}` once every request is registered; stops on SIGTERM.
//   node --import tsx e2e/helpers/fake-guests-cli.ts '{"url":…,"roomId":…,"guests":[{"userId","token"}]}'
import { WebSocket } from 'ws';
import { SignalClient, type WebSocketLike } from '../../common/signal/signal-client';

interface Spec {
  readonly url: string;
  readonly roomId: string;
  readonly guests: ReadonlyArray<{ readonly userId: string; readonly token: string }>;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
  const signalUrl = new URL('/signal', spec.url);
  signalUrl.protocol = 'ws:';
  const clients: SignalClient[] = [];
  const stop = () => {
    for (const client of clients) client.close();
    setTimeout(() => process.exit(0), 200);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (const guest of spec.guests) {
    const client = new SignalClient({
      url: signalUrl.toString(),
      userId: guest.userId,
      token: guest.token,
      createWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
      reconnect: false,
    });
    clients.push(client);
    await client.connect();
    client.events.on('link.started', (link) => process.stdout.write(`${JSON.stringify({ event: 'linked', userId: guest.userId, linkId: link.linkId })}\n`));
    await client.request('room.join', { roomId: spec.roomId });
    await client.request('link.request', { roomId: spec.roomId, streamCode: `live_${guest.userId.replace(/[^A-Za-z0-9_-]/g, '_')}` });
  }
  process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`fake guests: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
