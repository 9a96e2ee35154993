// Builds the audience page (renderer/viewer) into dist/viewer with esbuild: one bundled ES
// module, its style and the HTML. `npm run build:viewer [-- outDir]` (also part of `npm run
// build`); tests build into a temporary folder and mount it with `viewer.distDir`. The server
// (server/viewer/mount-viewer.ts) only serves the built page: it never builds renderer/ itself.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.resolve(HERE, '../renderer/viewer');
/** Where `npm run build` puts the page, and where the server looks for it by default. */
const DEFAULT_OUT = path.resolve(HERE, '../dist/viewer');

export async function buildViewer(outDir: string = DEFAULT_OUT): Promise<string> {
  const { build } = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(SOURCE, 'viewer.ts')],
    outfile: path.join(outDir, 'viewer.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    sourcemap: true,
    logLevel: 'warning',
  });
  copyFileSync(path.join(SOURCE, 'index.html'), path.join(outDir, 'index.html'));
  copyFileSync(path.join(SOURCE, 'viewer.css'), path.join(outDir, 'viewer.css'));
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildViewer(process.argv[2]).then(
    (out) => console.log(`viewer built into ${out}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
