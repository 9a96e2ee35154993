// A raw HTTP request with any Host / Origin / content type (what fetch would normalise away).
import http from 'node:http';

export interface RawHttpAnswer {
  readonly status: number;
  readonly body: string;
}

export function rawHttp(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<RawHttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path, headers: options.headers ?? {}, setHost: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

/** The stable error code of a JSON error answer (undefined when there is none). */
export function errorCodeOf(answer: RawHttpAnswer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}
