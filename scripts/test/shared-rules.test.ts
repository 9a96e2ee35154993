// Guard: each shared rule has one home (common/ or node/), and a copy written elsewhere fails here.
// It reads the product's source (common, node, server, main, renderer, preload; tests and benches
// aside) with comments stripped, and looks for the shapes the copies had: a comparison with
// 'libx264', a hand-written template id union or table, a numeric template id comparison, a
// restart delay table, an exponential delay, a loopback address compared by hand, a link quota
// written as a number. It is a grep, not a proof: a copy written another way slips through.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = process.cwd();
const LAYERS = ['common', 'node', 'server', 'main', 'renderer', 'preload'];

interface Rule {
  readonly name: string;
  /** Where the rule lives (the one file allowed to write it this way). */
  readonly home: readonly string[];
  readonly pattern: RegExp;
}

const RULES: readonly Rule[] = [
  { name: 'software encoder compared by name (use common/encoder-kinds.ts)', home: ['common/encoder-kinds.ts'], pattern: /[!=]==\s*'libx264'|'libx264'\s*[!=]==/ },
  { name: 'template ids written as literals (use common/mix-templates.ts)', home: ['common/mix-templates.ts'], pattern: /z\.literal\(1\),\s*z\.literal\(2\),\s*z\.literal\(3\)|\b1\s*\|\s*2\s*\|\s*3\b|\[1,\s*2,\s*3\]/ },
  { name: 'template id compared as a number (use LAYOUT_TEMPLATES)', home: [], pattern: /templateId\s*[!=]==?\s*\d|\d\s*[!=]==?\s*\w*templateId\b/ },
  { name: 'restart delay table (use common/backoff.ts RESTART_BACKOFF)', home: ['common/backoff.ts'], pattern: /\[\s*200,\s*500,\s*1000/ },
  { name: 'exponential delay by hand (use common/backoff.ts backoffDelayMs)', home: ['common/backoff.ts'], pattern: /\*\*\s*\(?\s*(?:this\.)?(?:attempt|failures)/i },
  { name: 'loopback compared by hand (use node/loopback.ts)', home: ['node/loopback.ts'], pattern: /[!=]==\s*'(?:127\.0\.0\.1|localhost|::1|\[::1\])'/ },
  { name: 'link quota written as a number (use common/link-quota.ts)', home: ['common/link-quota.ts'], pattern: /(?:linkQuota|guestLimit|LINK_QUOTA)\w*\s*(?:[:=]|\?\?)\s*[38]\b/ },
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'test' || entry.name === 'node_modules' || entry.name === 'dist') continue;
      out.push(...sourceFiles(full));
    } else if (/\.tsx?$/.test(entry.name) && !/\.(test|spec)\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      out.push(full);
    }
  }
  return out;
}

/** The code without its comments (line and block comments; good enough for this source tree). */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** `file:line: text` of each line of `text` breaking a rule. */
function copiesIn(file: string, text: string, rule: Rule): string[] {
  if (rule.home.includes(file)) return [];
  return stripComments(text)
    .split('\n')
    .flatMap((line, i) => (rule.pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

describe('shared rules have one home', () => {
  const files = LAYERS.flatMap((layer) => sourceFiles(path.join(ROOT, layer))).map((file) => ({ file: path.relative(ROOT, file).split(path.sep).join('/'), text: readFileSync(file, 'utf8') }));

  it('reads the source tree', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((f) => f.file === 'common/backoff.ts')).toBe(true);
  });

  for (const rule of RULES) {
    it(`has no copy: ${rule.name}`, () => {
      expect(files.flatMap(({ file, text }) => copiesIn(file, text, rule))).toEqual([]);
    });
  }

  it('bites on the copies it was written for (and not on comments)', () => {
    const probe = (code: string) => RULES.filter((rule) => copiesIn('main/probe.ts', code, rule).length > 0).map((rule) => rule.name);
    expect(probe("const hardware = trial.encoder !== 'libx264';")).toHaveLength(1);
    expect(probe('export const ids = z.union([z.literal(1), z.literal(2), z.literal(3)]);')).toHaveLength(1);
    expect(probe('if (mix.templateId === 2) pk();')).toHaveLength(1);
    expect(probe('const RESTART_DELAYS_MS = [200, 500, 1000, 2000];')).toHaveLength(1);
    expect(probe('const delay = Math.min(max, initial * 2 ** (attempt - 1));')).toHaveLength(1);
    expect(probe("const local = host === '127.0.0.1' || host === 'localhost';")).toHaveLength(1);
    expect(probe('const room = { guestLimit: 3 };')).toHaveLength(1);
    expect(probe("// trial.encoder !== 'libx264' was the old rule; guestLimit: 3")).toEqual([]);
    expect(probe("const args = ['-c:v', 'libx264'];")).toEqual([]);
  });
});
