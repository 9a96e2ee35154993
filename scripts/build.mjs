// Builds every layer into dist/: esbuild for main, preload and server (Node/Electron bundles,
// npm packages left external), Vite for the renderer.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';


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
console.log('build: done');
