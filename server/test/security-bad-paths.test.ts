// Malformed paths on the audience API answer a stable 400, never a 500 (issue #17.5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkMicServer } from '../link-mic-server';
import { startTestServer } from './helpers/media';
import { errorCodeOf, rawHttp } from './helpers/raw-http';

describe('the audience API refuses malformed room paths with 400 INVALID_ARGUMENT', () => {
  let server: LinkMicServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers a broken percent-encoding (/api/watch/%E0%A4%A) with 400, not 500', async () => {
    const answer = await rawHttp(server.httpPort, { method: 'GET', path: '/api/watch/%E0%A4%A', headers: { host: `127.0.0.1:${server.httpPort}` } });
    expect(answer.status).toBe(400);
    expect(errorCodeOf(answer)).toBe('INVALID_ARGUMENT');
  });

  it('answers a room name outside the stream-code alphabet, or too long, with 400', async () => {
    for (const room of ['a%2Fb', '..%2F..', '%00', 'x'.repeat(129)]) {
      const answer = await rawHttp(server.httpPort, { method: 'GET', path: `/api/watch/${room}`, headers: { host: `127.0.0.1:${server.httpPort}` } });
      expect(answer.status, room).toBe(400);
      expect(errorCodeOf(answer), room).toBe('INVALID_ARGUMENT');
    }
  });

  it('still answers a well-formed room that is not live with 200 and live false', async () => {
    const answer = await rawHttp(server.httpPort, { method: 'GET', path: '/api/watch/nobody_here', headers: { host: `127.0.0.1:${server.httpPort}` } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ roomId: 'nobody_here', live: false });
  });
});
