// HTTP-FLV and WS-FLV players for tests and the benchmark: parse the FLV byte stream into tags.
import http from 'node:http';
import { EventEmitter } from 'node:events';
import { WebSocket } from 'ws';

export interface FlvTag {
  /** 8 audio, 9 video, 18 script. */
  readonly type: number;
  readonly timestamp: number;
  readonly data: Buffer;
}

/** Incremental FLV parser: feed bytes, get tags. */
export class FlvParser {
  private buffer: Buffer = Buffer.alloc(0);
  private headerDone = false;
  headerFlags = -1;

  constructor(private readonly onTag: (tag: FlvTag) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.headerDone) {
      if (this.buffer.length < 13) return;
      if (this.buffer.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV stream');
      this.headerFlags = this.buffer[4]!;
      this.buffer = this.buffer.subarray(13);
      this.headerDone = true;
    }
    let offset = 0;
    while (this.buffer.length - offset >= 11) {
      const size = this.buffer.readUIntBE(offset + 1, 3);
      if (this.buffer.length - offset < 11 + size + 4) break;
      const type = this.buffer[offset]!;
      const timestamp = (this.buffer.readUIntBE(offset + 4, 3) | (this.buffer[offset + 7]! << 24)) >>> 0;
      const data = this.buffer.subarray(offset + 11, offset + 11 + size);
      offset += 11 + size + 4;
      this.onTag({ type, timestamp, data });
    }
    this.buffer = offset === 0 ? this.buffer : Buffer.from(this.buffer.subarray(offset));
  }
}

interface PlayerEvents {
  tag: [FlvTag];
  close: [];
}

/** Plays an HTTP-FLV URL. `status` and `errorBody` tell a refusal; `tags` counts what arrived. */
export class HttpFlvPlayer extends EventEmitter<PlayerEvents> {
  status = 0;
  errorBody: unknown;
  mediaTags = 0;
  closed = false;
  /** Flags byte of the FLV header (4 audio, 1 video), -1 until it arrived. */
  get headerFlags(): number {
    return this.parser.headerFlags;
  }
  private readonly parser: FlvParser;
  readonly response: Promise<number>;
  private readonly request: http.ClientRequest;

  constructor(url: string, options: { keepTags?: boolean; onTag?: (tag: FlvTag) => void } = {}) {
    super();
    const parser = new FlvParser((tag) => {
      if (tag.type === 8 || tag.type === 9) this.mediaTags += 1;
      options.onTag?.(tag);
      this.emit('tag', tag);
    });
    this.parser = parser;
    this.request = http.get(url, { agent: false });
    this.response = new Promise((resolve) => {
      this.request.on('response', (res) => {
        this.status = res.statusCode ?? 0;
        if (this.status !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            try {
              this.errorBody = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              this.errorBody = Buffer.concat(chunks).toString('utf8');
            }
            resolve(this.status);
          });
          return;
        }
        resolve(this.status);
        res.on('data', (chunk: Buffer) => parser.push(chunk));
        res.on('error', () => undefined);
      });
      this.request.on('error', () => resolve(this.status));
    });
    this.request.on('close', () => {
      this.closed = true;
      this.emit('close');
    });
  }

  /** Resolves once `count` media tags arrived (rejects if the play closes first). */
  waitForMediaTags(count: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.mediaTags >= count) return resolve();
      const onTag = (): void => {
        if (this.mediaTags >= count) {
          cleanup();
          resolve();
        }
      };
      const onClose = (): void => {
        cleanup();
        reject(new Error(`play closed after ${this.mediaTags} media tags`));
      };
      const cleanup = (): void => {
        this.off('tag', onTag);
        this.off('close', onClose);
      };
      this.on('tag', onTag);
      this.on('close', onClose);
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.once('close', () => resolve());
      this.request.destroy();
    });
  }
}

/** Plays a WS-FLV URL. */
export class WsFlvPlayer extends EventEmitter<PlayerEvents> {
  mediaTags = 0;
  closed = false;
  /** HTTP status of a refused upgrade. */
  refusedStatus = 0;
  readonly opened: Promise<boolean>;
  readonly ws: WebSocket;

  constructor(url: string) {
    super();
    const parser = new FlvParser((tag) => {
      if (tag.type === 8 || tag.type === 9) this.mediaTags += 1;
      this.emit('tag', tag);
    });
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer) => parser.push(Buffer.from(data)));
    this.opened = new Promise((resolve) => {
      this.ws.once('open', () => resolve(true));
      this.ws.once('unexpected-response', (_req, res) => {
        this.refusedStatus = res.statusCode ?? 0;
        res.resume();
        resolve(false);
        this.ws.terminate();
      });
      this.ws.once('error', () => resolve(false));
    });
    this.ws.on('error', () => undefined);
    this.ws.on('close', () => {
      this.closed = true;
      this.emit('close');
    });
  }

  waitForMediaTags(count: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.mediaTags >= count) return resolve();
      const onTag = (): void => {
        if (this.mediaTags >= count) {
          this.off('tag', onTag);
          resolve();
        }
      };
      this.on('tag', onTag);
      this.once('close', () => reject(new Error(`WS play closed after ${this.mediaTags} media tags`)));
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.once('close', () => resolve());
      this.ws.terminate();
    });
  }
}
