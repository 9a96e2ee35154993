// Builds every layer into dist/: esbuild for main, preload and server (Node/Electron bundles,
// npm packages left external), Vite for the renderer.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';


const nodeEntries = [
  { in: 'main/electron-main.ts', out: 'dist/main/electron-main.cjs', format: 'cjs' },
  { in: 'main/studio-launcher.ts', out: 'dist/main/studio-launcher.js', format: 'esm' },
  { in: 'main/web-host-cli.ts', out: 'dist/main/web-host-cli.js', format: 'esm' },
  { in: 'server/cli.ts', out: 'dist/server/cli.js', format: 'esm' },
];
const preloadEntries = [{ in: 'preload/preload.ts', out: 'dist/preload/preload.cjs', format: 'cjs' }];

for (const entry of nodeEntries) {
  if (!existsSync(entry.in)) continue;
  await build({
    entryPoints: [entry.in],
    outfile: entry.out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: entry.format,
    packages: 'external',
    sourcemap: true,
    // CommonJS bundles (Electron's main) get import.meta.url from their own file name.
    ...(entry.format === 'cjs'
      ? { define: { 'import.meta.url': '__importMetaUrl' }, banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" } }
      : {}),
    logLevel: 'warning',
  });
}
for (const entry of preloadEntries) {
  if (!existsSync(entry.in)) continue;
  // Sandboxed preloads cannot require npm packages: bundle everything but electron.
  await build({
    entryPoints: [entry.in],
    outfile: entry.out,
    bundle: true,
    platform: 'node',
    target: 'chrome120',
    format: 'cjs',
    external: ['electron'],
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (existsSync('renderer/vite.config.ts')) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: 'renderer/vite.config.ts', logLevel: 'warn' });
}
// The audience page served by the server at /watch/{room} (esbuild, into dist/viewer).
if (existsSync('server/viewer/build-viewer.ts')) {
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  const result = spawnSync(process.execPath, [tsx, 'server/viewer/build-viewer.ts'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
console.log('build: done');
