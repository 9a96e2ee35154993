import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, REQUEST_TYPES } from '../../common/signal/messages';
import { SCHEMAS_DIR, diffSchemas } from '../../scripts/gen-schemas';

function unionTypes(file: string): string[] {
  const schema = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, file), 'utf8')) as { oneOf: Array<{ properties: { type: { const: string } } }> };
  return schema.oneOf.map((branch) => branch.properties.type.const).sort();
}

describe('protocol JSON Schemas', () => {
  it('are committed in docs/schemas exactly as generated from the zod schemas', () => {
    expect(diffSchemas()).toEqual([]);
  });

  it('describe every request in client-message.json and every result, error and event in server-message.json', () => {
    expect(unionTypes('client-message.json')).toEqual([...REQUEST_TYPES].sort());
    expect(unionTypes('server-message.json')).toEqual(['error', 'result', ...EVENT_TYPES].sort());
  });
});
