// Reads an origin-direct FLV stream as bytes arrive: HTTP-FLV through fetch's streaming body, or
// WS-FLV through a WebSocket (one FLV chunk per binary message). No buffering of its own.
import { LinkMicError } from '../../common/errors';

export interface FlvSourceHandlers {
  /** Bytes as they arrive. */
  onData(chunk: Uint8Array): void;
  /** The stream ended (error undefined: the server closed it cleanly). Called at most once. */
  onEnd(error?: LinkMicError): void;
}

export interface FlvSource {
  readonly transport: 'http-flv' | 'ws-flv';
  close(): void;
}

export function transportOf(url: string): 'http-flv' | 'ws-flv' {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  if (scheme === 'ws' || scheme === 'wss') return 'ws-flv';
  if (scheme === 'http' || scheme === 'https') return 'http-flv';
  throw new LinkMicError('INVALID_URL', `not an HTTP-FLV or WS-FLV URL: ${url}`, { field: 'url' });
}

export function openFlvSource(url: string, handlers: FlvSourceHandlers): FlvSource {
  return transportOf(url) === 'ws-flv' ? openWebSocket(url, handlers) : openFetch(url, handlers);
}

function once(handlers: FlvSourceHandlers): { ended: () => boolean; end: (error?: LinkMicError) => void } {
  let done = false;
  return {
    ended: () => done,
    end: (error) => {
      if (done) return;
      done = true;
      handlers.onEnd(error);
    },
  };
}

function openFetch(url: string, handlers: FlvSourceHandlers): FlvSource {
  const abort = new AbortController();
  const state = once(handlers);
  let closed = false;
  void (async () => {
    try {
      const response = await fetch(url, { signal: abort.signal, cache: 'no-store' });
      if (!response.ok || !response.body) {
        const code = response.status === 404 ? 'STREAM_NOT_FOUND' : response.status === 403 ? 'NOT_ALLOWED' : 'CONNECT_FAILED';
        state.end(new LinkMicError(code, `HTTP ${response.status} from ${url}`));
        return;
      }
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (closed) return;
        if (value && value.byteLength > 0) handlers.onData(value);
      }
      state.end(closed ? undefined : new LinkMicError('DISCONNECTED', 'the origin ended the stream'));
    } catch (error) {
      if (closed) return;
      state.end(new LinkMicError('DISCONNECTED', `stream read failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    }
  })();
  return {
    transport: 'http-flv',
    close: () => {
      if (closed) return;
      closed = true;
      abort.abort();
    },
  };
}

function openWebSocket(url: string, handlers: FlvSourceHandlers): FlvSource {
  const state = once(handlers);
  let closed = false;
  let opened = false;
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  socket.onopen = () => {
    opened = true;
  };
  socket.onmessage = (event: MessageEvent<unknown>) => {
    if (closed) return;
    if (event.data instanceof ArrayBuffer) handlers.onData(new Uint8Array(event.data));
  };
  socket.onclose = (event) => {
    if (closed) return;
    const code = opened ? 'DISCONNECTED' : 'CONNECT_FAILED';
    state.end(new LinkMicError(code, `WebSocket closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`));
  };
  return {
    transport: 'ws-flv',
    close: () => {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}
