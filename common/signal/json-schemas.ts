// JSON Schemas of the signalling protocol, generated from the zod schemas (one source of truth).
// `npm run gen:schemas` writes them to docs/schemas/; a test checks the committed files match.
import { z } from 'zod';
import { layoutSchema } from '../layout';
import { EVENTS, EVENT_TYPES, REQUESTS, REQUEST_TYPES, clientMessageSchema, devLoginRequestSchema, devLoginResponseSchema, errorMessageSchema, resultMessageSchema, serverMessageSchema } from './messages';

function toSchema(schema: z.ZodType, title: string, description?: string): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...json, title, ...(description ? { description } : {}) };
}

/** File name (relative to docs/schemas/) → JSON Schema object, in a stable order. */
export function generateJsonSchemas(): Map<string, Record<string, unknown>> {
  const files = new Map<string, Record<string, unknown>>();
  files.set('client-message.json', toSchema(clientMessageSchema, 'ClientMessage', 'Any client → server request.'));
  files.set('server-message.json', toSchema(serverMessageSchema, 'ServerMessage', 'Any server → client message: result, error or event.'));
  files.set('result.json', toSchema(resultMessageSchema, 'Result'));
  files.set('error.json', toSchema(errorMessageSchema, 'Error'));
  files.set('layout.json', toSchema(layoutSchema, 'Layout'));
  files.set('dev-login-request.json', toSchema(devLoginRequestSchema, 'DevLoginRequest'));
  files.set('dev-login-response.json', toSchema(devLoginResponseSchema, 'DevLoginResponse'));
  for (const type of REQUEST_TYPES) {
    const entry = REQUESTS[type];
    files.set(`requests/${type}.json`, toSchema(entry.params.extend({ id: z.string(), type: z.literal(type) }), type, entry.doc));
    files.set(`results/${type}.json`, toSchema(entry.result, `${type} result`));
  }
  for (const type of EVENT_TYPES) {
    const entry = EVENTS[type];
    files.set(`events/${type}.json`, toSchema(entry.schema.extend({ type: z.literal(type) }), type, entry.doc));
  }
  return files;
}

/** Serialises one schema the way the committed files are written. */
export function formatJsonSchema(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
