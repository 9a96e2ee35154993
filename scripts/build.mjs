// Builds every layer into dist/: esbuild for main, preload and server (Node/Electron bundles,
// npm packages left external), Vite for the renderer.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';


// CommonJS bundles (Electron's main) get import.meta.url from their own file name.
const cjsImportMeta = {
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};
const nodeBundle = { platform: 'node', target: 'node20', packages: 'external' };
const entries = [
  { in: 'main/electron-main.ts', out: 'dist/main/electron-main.cjs', ...nodeBundle, format: 'cjs', ...cjsImportMeta },
  { in: 'main/studio-launcher.ts', out: 'dist/main/studio-launcher.js', ...nodeBundle, format: 'esm' },
  { in: 'main/web-host-cli.ts', out: 'dist/main/web-host-cli.js', ...nodeBundle, format: 'esm' },
  { in: 'server/cli.ts', out: 'dist/server/cli.js', ...nodeBundle, format: 'esm' },
  // Sandboxed preloads cannot require npm packages: bundle everything but electron.
  { in: 'preload/preload.ts', out: 'dist/preload/preload.cjs', platform: 'node', target: 'chrome120', format: 'cjs', external: ['electron'] },
];

for (const { in: entryPoint, out, ...options } of entries) {
  await build({ entryPoints: [entryPoint], outfile: out, bundle: true, sourcemap: true, logLevel: 'warning', ...options });
}

if (existsSync('renderer/vite.config.ts')) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: 'renderer/vite.config.ts', logLevel: 'warn' });
}
// The audience page served by the server at /watch/{room} (esbuild, into dist/viewer).
if (existsSync('scripts/build-viewer.ts')) {
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  const result = spawnSync(process.execPath, [tsx, 'scripts/build-viewer.ts'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
console.log('build: done');
