// Listening that resolves only once the socket listens and turns a port clash into a rejected
// promise (never a process exit), with port 0 meaning "pick an ephemeral port".
import type { AddressInfo, Server } from 'node:net';
import { LinkMicError } from '../common';

export function listenOn(server: Server, host: string, port: number, label: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(
        error.code === 'EADDRINUSE'
          ? new LinkMicError('PORT_IN_USE', `${label} port ${host}:${port} is already in use`, { cause: error })
          : new LinkMicError('NOT_LISTENING', `${label} could not listen on ${host}:${port}: ${error.message}`, { cause: error }),
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

/** Closes a listening server; resolves when it has closed (or was not listening). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

/** Formats host:port for URLs (brackets IPv6 literals). */
export function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
