// Reads a request body up to a limit (MESSAGE_TOO_LARGE past it, and the request is destroyed).
import type { IncomingMessage } from 'node:http';
import { LinkMicError } from '../../common';

export function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new LinkMicError('MESSAGE_TOO_LARGE', `body is limited to ${limit} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
