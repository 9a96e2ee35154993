// scripts/setup.sh installs every program the code and its tests run from one list,
// scripts/system-packages.txt. This spec reads the source (TypeScript's parser, not grep) for the
// programs it names and fails when one is neither in that list nor part of Node itself.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LIST = path.join(ROOT, 'scripts/system-packages.txt');
const SOURCE_DIRS = ['common', 'node', 'server', 'main', 'preload', 'renderer', 'e2e', 'bench', 'scripts'];
const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
/** Programs that come with Node itself. */
const NODE_BUILTINS = new Set(['node', 'npm', 'npx', 'corepack']);
/** Calls whose first argument is the program to run. */
const RUNNERS = /^(spawn|spawnSync|exec|execSync|execFile|execFileSync|execFileAsync|execAsync|fork|which|runChild|startChild|run|runCommand)$/;
/** A string literal that is an absolute path to an installed program. */
const BIN_PATH = /^\/(?:usr\/(?:local\/)?)?s?bin\/([\w.+-]+)$/;

interface ListEntry { command: string | undefined; pkg: string }

function readList(file: string): ListEntry[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [command, pkg, ...rest] = line.split(/\s+/);
      if (!command || !pkg || rest.length > 0) throw new Error(`malformed line in ${file}: ${line}`);
      return { command: command === '-' ? undefined : command, pkg };
    });
}

function listSourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSourceFiles(full));
    else if (SOURCE_FILE.test(entry.name)) out.push(full);
  }
  return out;
}

function calleeName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
}

function literalText(node: ts.Node | undefined): string | undefined {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return undefined;
}

/** The programs a source text names: the literal first argument of a spawn-like call, or a literal /usr/bin/… path. */
export function programsNamedIn(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node.expression);
      const program = literalText(node.arguments[0]);
      if (name && RUNNERS.test(name) && program && /^[\w./+-]+$/.test(program) && !program.startsWith('.')) {
        found.add(path.posix.basename(program));
      }
    }
    const binPath = literalText(node);
    const match = binPath === undefined ? null : BIN_PATH.exec(binPath);
    if (match) found.add(match[1]!);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...found];
}

describe('the system package list', () => {
  const entries = readList(LIST);
  const listed = new Set(entries.flatMap((e) => (e.command ? [e.command] : [])));

  it('holds every program the source runs, or the program comes with Node', () => {
    const unlisted: string[] = [];
    for (const dir of SOURCE_DIRS) {
      for (const file of listSourceFiles(path.join(ROOT, dir))) {
        for (const program of programsNamedIn(file, readFileSync(file, 'utf8'))) {
          if (!listed.has(program) && !NODE_BUILTINS.has(program)) unlisted.push(`${program} (${path.relative(ROOT, file)})`);
        }
      }
    }
    expect(unlisted, 'add these to scripts/system-packages.txt as `<command> <debian-package>`').toEqual([]);
  });

  it('finds programs however the source names them', () => {
    const text = [
      "spawn('frobnicate', ['-x']);",
      "await execFileAsync(\n  'wibble',\n  [],\n);",
      "child_process.execFileSync('/usr/sbin/grommet', []);",
      "const BIN = '/usr/bin/sprocket';",
      "runChild(process.execPath, ['--import', 'tsx']);",
      "push('label', ['not a program']);",
      "spawn('./relative-script.sh', []);",
    ].join('\n');
    expect(programsNamedIn('probe.ts', text).sort()).toEqual(['frobnicate', 'grommet', 'sprocket', 'wibble']);
  });

  it('names the commands the code needs, including the ones only tests run', () => {
    for (const command of ['ffmpeg', 'ffprobe', 'chromium', 'Xvfb', 'xsetroot', 'pulseaudio', 'obs', 'redis-server', 'nginx']) expect(listed).toContain(command);
    expect(entries.find((e) => e.command === 'xsetroot')?.pkg).toBe('x11-xserver-utils');
    expect(entries.filter((e) => e.command === undefined).map((e) => e.pkg)).toContain('libnginx-mod-rtmp');
  });

  describe('scripts/setup.sh', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'setup-list-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('installs from that list: what is absent is what it would install', () => {
      const list = path.join(dir, 'packages.txt');
      writeFileSync(list, '# probe\nsh dash\nno-such-program-zq9 pkg-for-program\n- no-such-package-zq9\n\n');
      const out = execFileSync('bash', [path.join(ROOT, 'scripts/setup.sh'), '--print-missing'], {
        cwd: ROOT,
        env: { ...process.env, SETUP_PACKAGE_LIST: list },
        encoding: 'utf8',
      });
      expect(out.trim().split('\n').sort()).toEqual(['no-such-package-zq9', 'pkg-for-program']);
    });
  });
});
