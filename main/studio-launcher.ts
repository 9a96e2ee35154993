// What `bash scripts/studio.sh` runs (bundled to dist/main/studio-launcher.js). With an Electron
// binary: the desktop app (electron on dist/main/electron-main.cjs). Without one: the same studio
// as a web host on 127.0.0.1 with the embedded server, printing the URL to open. Ctrl+C stops
// everything; the Electron child gets the signal and is waited for, so nothing is orphaned.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary';
import { runWebHost } from './web-host-runner';

const hereDir = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const forceWeb = args.includes('--web') || process.env['LINKMIC_STUDIO_WEB'] === '1';
const electron = forceWeb ? null : findElectronBinary(import.meta.url);

if (electron) {
  // The folder whose package.json names dist/main/electron-main.cjs (repo root from dist/main or main/).
  const appRoot = [path.resolve(hereDir, '../..'), path.resolve(hereDir, '..')].find((dir) => existsSync(path.join(dir, 'dist', 'main', 'electron-main.cjs'))) ?? path.resolve(hereDir, '../..');
  const child = spawn(electron, [appRoot, ...args], { stdio: 'inherit', env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined } });
  const forward = (signal: NodeJS.Signals): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  child.on('error', (error) => {
    process.stderr.write(`studio: cannot start Electron (${error.message}); starting the web console instead\n`);
    void runWebHost({ argv: args, hereDir });
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  void runWebHost({
    argv: args.filter((arg) => arg !== '--web'),
    hereDir,
    note: forceWeb
      ? 'Web console mode (--web).'
      : 'No Electron binary is installed here, so the studio runs as a web console: open the URL above in Chromium or Chrome. The desktop shell needs Electron (npm install without ELECTRON_SKIP_BINARY_DOWNLOAD).',
  });
}
