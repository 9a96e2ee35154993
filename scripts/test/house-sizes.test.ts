// The house rule of issue #12: StudioCore's parts stay small enough to read (no file in main/core/
// over 400 lines); a part that grows past it is split by job, as studio-core.ts was.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const LIMIT = 400;

describe('house sizes', () => {
  it(`keeps every file in main/core/ at ${LIMIT} lines or fewer`, async () => {
    const dir = path.join(ROOT, 'main', 'core');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(3);
    const over: string[] = [];
    for (const file of files) {
      const lines = (await readFile(path.join(dir, file), 'utf8')).split('\n').length;
      if (lines > LIMIT) over.push(`${file}: ${lines} lines`);
    }
    expect(over).toEqual([]);
  });
});
