// Writes the signalling protocol's JSON Schemas (generated from the zod schemas in common/signal)
// to docs/schemas/. `--check` writes nothing and exits 1 when the committed files differ.
//   npx tsx scripts/gen-schemas.ts [--check]
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatJsonSchema, generateJsonSchemas } from '../common/signal/json-schemas';

export const SCHEMAS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'schemas');

function listFiles(dir: string, prefix = ''): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

/** Differences between docs/schemas and the generated schemas (empty when in sync). */
export function diffSchemas(dir = SCHEMAS_DIR): string[] {
  const generated = generateJsonSchemas();
  const problems: string[] = [];
  for (const [name, schema] of generated) {
    let current: string | undefined;
    try {
      current = readFileSync(path.join(dir, name), 'utf8');
    } catch {
      current = undefined;
    }
    if (current === undefined) problems.push(`missing ${name}`);
    else if (current !== formatJsonSchema(schema)) problems.push(`outdated ${name}`);
  }
  for (const name of listFiles(dir)) if (!generated.has(name)) problems.push(`stale ${name}`);
  return problems;
}

export function writeSchemas(dir = SCHEMAS_DIR): number {
  const generated = generateJsonSchemas();
  for (const name of listFiles(dir)) if (!generated.has(name)) rmSync(path.join(dir, name));
  for (const [name, schema] of generated) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, formatJsonSchema(schema));
  }
  return generated.size;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const problems = diffSchemas();
    for (const problem of problems) console.error(problem);
    if (problems.length > 0) {
      console.error('docs/schemas is out of date: run npx tsx scripts/gen-schemas.ts');
      process.exit(1);
    }
    console.log('docs/schemas is up to date');
  } else {
    console.log(`wrote ${writeSchemas()} schemas to ${path.relative(process.cwd(), SCHEMAS_DIR) || SCHEMAS_DIR}`);
  }
}
