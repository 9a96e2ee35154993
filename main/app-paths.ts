// Where the studio finds its parts, whether it runs from the sources (tsx main/…), from the
// build (dist/main/…) or from a packaged app (resources/app.asar/dist/main/…).
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The built renderer (dist/renderer) seen from a main-process file's folder. */
export function findRendererDir(fromDir: string): string | null {
  const candidates = [path.resolve(fromDir, '../renderer'), path.resolve(fromDir, '../dist/renderer')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')) && existsSync(path.join(dir, 'assets'))) ?? null;
}

/** The built audience page (dist/viewer) seen from a main-process file's folder; its expected place when not built yet. */
export function findViewerDir(fromDir: string): string {
  const candidates = [path.resolve(fromDir, '../viewer'), path.resolve(fromDir, '../dist/viewer')];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[candidates.length - 1]!;
}

/** The folder holding `ffmpeg/<platform>-<arch>/ffmpeg` (resources/ in the repo, process.resourcesPath when packaged). */
export function findResourcesDir(fromDir: string, packagedResources?: string): string | undefined {
  const candidates = [packagedResources, path.resolve(fromDir, '../../resources'), path.resolve(fromDir, '../resources')].filter((dir): dir is string => dir !== undefined);
  return candidates.find((dir) => existsSync(path.join(dir, 'ffmpeg'))) ?? undefined;
}

/** Per-user data folder for settings and secrets when no Electron userData exists. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env['LINKMIC_STUDIO_DATA']) return env['LINKMIC_STUDIO_DATA'];
  if (platform === 'win32') return path.join(env['APPDATA'] ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'LinkMic Studio');
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'LinkMic Studio');
  return path.join(env['XDG_CONFIG_HOME'] ?? path.join(os.homedir(), '.config'), 'linkmic-studio');
}
