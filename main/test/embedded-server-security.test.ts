import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedServer, type EmbeddedServer } from '../core/embedded-server';
import { connectSignal } from '../core/signal-adapter';

describe("the embedded server mints the streamer's token for the studio only", () => {
  let embedded: EmbeddedServer | undefined;
  afterEach(async () => {
    await embedded?.close();
    embedded = undefined;
  });

  it('refuses HTTP dev-login to any local process while the studio still signs in', async () => {
    embedded = await startEmbeddedServer({ logLevel: 'silent' });
    const response = await fetch(`${embedded.httpUrl}/api/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'streamer' }) });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_ALLOWED');
    const server = embedded;
    const signal = await connectSignal({ url: server.signalUrl, userId: 'streamer', token: () => server.mintToken('streamer') });
    try {
      expect(signal.userId).toBe('streamer');
    } finally {
      await signal.close();
    }
  });
});
