// The console in the desktop app: one Electron process per studio, launched through Playwright's
// _electron on the built app (dist/main/electron-main.cjs via the repo's package.json), with its
// own data folder (LINKMIC_STUDIO_DATA, so its own single-instance lock) and its first-run
// settings and remote profile in LINKMIC_STUDIO_INITIAL_SETTINGS. Stopped with app.quit (the app
// stops ffmpeg and the core), or by PID when that does not end it in time.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from '@playwright/test';
import { REPO_ROOT } from './child';
import { studioProfile, type LinkMicServerProcess, type StudioHost } from './cluster';

export type ElectronLookup = { readonly binary: string; readonly reason?: undefined } | { readonly binary: null; readonly reason: string };

/** The Electron binary (LINKMIC_ELECTRON_PATH, else what `require('electron')` names), or why there is none. */
export function findElectron(env: NodeJS.ProcessEnv = process.env): ElectronLookup {
  const override = env['LINKMIC_ELECTRON_PATH'];
  if (override) return existsSync(override) ? { binary: override } : { binary: null, reason: `LINKMIC_ELECTRON_PATH=${override} does not exist` };
  let binary: unknown;
  try {
    binary = createRequire(path.join(REPO_ROOT, 'package.json'))('electron');
  } catch (error) {
    return { binary: null, reason: `require('electron') fails (${(error as Error).message}); the electron package was installed without its binary, e.g. with ELECTRON_SKIP_BINARY_DOWNLOAD=1` };
  }
  if (typeof binary !== 'string') return { binary: null, reason: `require('electron') is not a path` };
  return existsSync(binary) ? { binary } : { binary: null, reason: `require('electron') names ${binary}, which does not exist` };
}

/** Why the console specs cannot run in the app here, or null when they can. */
export function electronSkipReason(env: NodeJS.ProcessEnv = process.env): string | null {
  const electron = findElectron(env);
  if (!electron.binary) return `no Electron binary here: ${electron.reason}. The console specs run against the web host in the chromium project.`;
  if (!existsSync(path.join(REPO_ROOT, 'dist/main/electron-main.cjs')) || !existsSync(path.join(REPO_ROOT, 'dist/preload/preload.cjs'))) return 'the app is not built: run `npm run build` first.';
  if (process.platform === 'linux' && !env['DISPLAY'] && !env['WAYLAND_DISPLAY']) return 'no display for Electron here (neither DISPLAY nor WAYLAND_DISPLAY): run under xvfb-run.';
  return null;
}

/** Chromium switches for the app under test: fake camera/mic without prompts, autoplay, no keyring. */
export const ELECTRON_TEST_SWITCHES: readonly string[] = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  ...(process.platform === 'linux' ? ['--no-sandbox', '--password-store=basic'] : []),
];

export interface ElectronStudio {
  readonly studio: StudioHost;
  readonly app: ElectronApplication;
  readonly page: Page;
}

/** Launches the app as studio `name`, signed in to `server`; resolves with its window. */
export async function startElectronStudio(server: LinkMicServerProcess, name: string, options: { userId?: string } = {}): Promise<ElectronStudio> {
  const electron = findElectron();
  if (!electron.binary) throw new Error(`no Electron binary here: ${electron.reason}`);
  const profile = await studioProfile(server, name, options);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `e2e-electron-${name}-`));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value;
  env['LINKMIC_STUDIO_DATA'] = dataDir;
  env['LINKMIC_STUDIO_INITIAL_SETTINGS'] = JSON.stringify({ settings: profile.settings, server: profile.server });
  let app: ElectronApplication;
  try {
    app = await _electron.launch({ executablePath: electron.binary, args: [...ELECTRON_TEST_SWITCHES, REPO_ROOT], cwd: REPO_ROOT, env, timeout: 60_000 });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const stderr: string[] = [];
  app.process().stderr?.on('data', (chunk: Buffer) => {
    stderr.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (stderr.length > 80) stderr.splice(0, stderr.length - 80);
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await closeApp(app);
      await rm(dataDir, { recursive: true, force: true });
    })());
  let page: Page;
  try {
    page = await app.firstWindow({ timeout: 60_000 });
  } catch (error) {
    await stop();
    throw new Error(`studio ${name} (Electron) opened no window: ${(error as Error).message}\n${stderr.join('\n')}`, { cause: error });
  }
  return { studio: { name, userId: profile.userId, streamCode: profile.streamCode, stop }, app, page };
}

/** app.quit (the app's before-quit stops the core), then SIGKILL by PID if it has not exited in 15 s. */
async function closeApp(app: ElectronApplication): Promise<void> {
  const child = app.process();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 15_000)));
  const outcome = await Promise.race([app.close().then(() => exited).catch(() => exited), late]);
  clearTimeout(timer);
  if (outcome === 'late' && child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    process.kill(child.pid, 'SIGKILL');
    await exited;
  }
}
