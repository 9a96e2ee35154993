// Who may talk to the server from a browser: the Host a request names and the Origin it comes from.
// A DNS-rebinding page reaches 127.0.0.1 under its own name (Host: evil.example:PORT), and a page
// of another site sends its own Origin; both are refused where a request could mint or use a token.
import type { IncomingMessage } from 'node:http';
import { LinkMicError } from '../../common/errors';
import { isLoopbackHost } from '../../node/loopback';

/** `host:port` split (IPv6 in brackets); undefined when the header does not parse. */
function splitHost(header: string): { hostname: string; port: number | null } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(header.trim());
  if (!match?.[1]) return undefined;
  return { hostname: match[1].toLowerCase(), port: match[2] === undefined ? null : Number(match[2]) };
}

/** The port the request arrived on (the server's own port). */
function ownPort(request: IncomingMessage): number | undefined {
  return request.socket.localPort;
}

/**
 * Refuses (HOST_NOT_ALLOWED) a request whose Host is not a loopback name or address carrying the
 * server's own port: what a DNS-rebinding page cannot fake.
 */
export function requireLoopbackHost(request: IncomingMessage): void {
  const header = request.headers.host;
  const host = header === undefined ? undefined : splitHost(header);
  if (!host || !isLoopbackHost(host.hostname) || host.port !== ownPort(request)) {
    throw new LinkMicError('HOST_NOT_ALLOWED', 'the Host must be a loopback name with this server\'s port', { field: 'host' });
  }
}

export interface OriginPolicy {
  /** Extra browser origins allowed (`--allow-origin`), e.g. `http://127.0.0.1:5173`. */
  readonly allowOrigins: readonly string[];
  /** The server binds a loopback address: its own origin must then name a loopback host too. */
  readonly loopbackOnly: boolean;
}

/** Normalises an origin (`scheme://host[:port]`, lower case, no path); undefined when it is not one. */
export function normalizeOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return `${url.protocol}//${url.host}`.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Whether a request's Origin may use the server: no Origin (a non-browser client), the server's own
 * origin (the Origin names the very Host the request was sent to, a loopback one when the server
 * binds loopback), or one of the allowed origins.
 */
export function originAllowed(request: IncomingMessage, policy: OriginPolicy): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const normalized = normalizeOrigin(origin);
  if (normalized === undefined) return false;
  if (policy.allowOrigins.some((allowed) => normalizeOrigin(allowed) === normalized)) return true;
  const host = request.headers.host;
  if (host === undefined) return false;
  const ownHost = splitHost(host);
  if (!ownHost || new URL(normalized).host !== host.trim().toLowerCase()) return false;
  return !policy.loopbackOnly || (isLoopbackHost(ownHost.hostname) && (ownHost.port ?? 80) === ownPort(request));
}

/** Refuses (ORIGIN_NOT_ALLOWED) a request from a browser page that is not allowed. */
export function requireAllowedOrigin(request: IncomingMessage, policy: OriginPolicy): void {
  if (!originAllowed(request, policy)) {
    throw new LinkMicError('ORIGIN_NOT_ALLOWED', `origin ${request.headers.origin ?? ''} is not allowed`, { field: 'origin' });
  }
}

/** Refuses (UNSUPPORTED_MEDIA_TYPE) a body that is not sent as application/json. */
export function requireJsonContentType(request: IncomingMessage): void {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new LinkMicError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json', { field: 'content-type' });
  }
}
