// The real link-mic origin (server/LinkMicServer) on 127.0.0.1 ephemeral ports, with signed push
// URLs built by common/signing + common/urls, and a restart that keeps the ports.
import { pino } from 'pino';
import { LinkMicServer } from '../../../server';
import { sign } from '../../../common/signing';
import { buildAudienceUrl, buildPushUrl } from '../../../common/urls';

export const TEST_KEY = 'engine-test-key-5f1c0e7a9b';

export interface PushUrlOptions {
  readonly sessionId?: number;
  readonly layer?: 'b' | 's';
  /** Sign with another key (a forged signature). */
  readonly key?: string;
  readonly expiresAt?: number;
}

export class TestOrigin {
  private server: LinkMicServer;
  private rtmpPortValue = 0;
  private httpPortValue = 0;

  private constructor(server: LinkMicServer) {
    this.server = server;
  }

  static async start(): Promise<TestOrigin> {
    const origin = new TestOrigin(TestOrigin.create(0, 0));
    await origin.server.start();
    origin.rtmpPortValue = origin.server.rtmpPort;
    origin.httpPortValue = origin.server.httpPort;
    return origin;
  }

  private static create(rtmpPort: number, httpPort: number): LinkMicServer {
    return new LinkMicServer({
      host: '127.0.0.1',
      rtmpPort,
      httpPort,
      key: TEST_KEY,
      logLevel: 'silent',
      logger: pino({ level: process.env['LINKMIC_TEST_LOG'] ?? 'silent' }),
    });
  }

  get live(): LinkMicServer {
    return this.server;
  }

  get rtmpHost(): string {
    return `127.0.0.1:${this.rtmpPortValue}`;
  }

  get httpHost(): string {
    return `127.0.0.1:${this.httpPortValue}`;
  }

  pushUrl(streamCode: string, options: PushUrlOptions = {}): string {
    const expiresAt = options.expiresAt ?? Math.floor(Date.now() / 1000) + 3600;
    return buildPushUrl({
      rtmpHost: this.rtmpHost,
      streamCode,
      mix: { sessionId: options.sessionId ?? 1234, ...(options.layer ? { layer: options.layer } : {}) },
      signature: sign(options.key ?? TEST_KEY, streamCode, expiresAt),
    });
  }

  /** The audience HTTP-FLV URL of a stream (origin-direct). */
  flvUrl(streamCode: string): string {
    return buildAudienceUrl({ protocol: 'http-flv', endpoint: { rtmpHost: this.rtmpHost, httpHost: this.httpHost }, streamCode });
  }

  /** Stops the server (dropping every publisher) and starts a new one on the same ports. */
  async restart(downMs = 0): Promise<void> {
    await this.server.close();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    this.server = TestOrigin.create(this.rtmpPortValue, this.httpPortValue);
    await this.server.start();
  }

  async close(): Promise<void> {
    await this.server.close();
  }
}
