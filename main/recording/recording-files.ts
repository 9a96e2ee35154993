// Where recordings go and whether they may: the default folder (the OS videos folder / LinkMic),
// file names with a local timestamp that never overwrite, a writable-folder check and a
// free-disk check (fs.statfs), each failing with a stable code (common/errors.ts).
import { constants } from 'node:fs';
import { access, mkdir, rm, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LinkMicError } from '../../common/errors';

/** Below this much free space a recording is refused (and a running one stopped). */
export const DEFAULT_MIN_FREE_BYTES = 1024 * 1024 * 1024;

/** The OS videos folder (XDG_VIDEOS_DIR, ~/Videos; ~/Movies on macOS) under a LinkMic folder. */
export function defaultRecordingsDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env['LINKMIC_RECORDINGS_DIR']) return env['LINKMIC_RECORDINGS_DIR'];
  const home = os.homedir();
  if (platform === 'win32') return path.join(env['USERPROFILE'] ?? home, 'Videos', 'LinkMic');
  if (platform === 'darwin') return path.join(home, 'Movies', 'LinkMic');
  return path.join(env['XDG_VIDEOS_DIR'] ?? path.join(home, 'Videos'), 'LinkMic');
}

/** `2026-12-03_07-40-05` in local time. */
export function localStamp(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}_${two(d.getHours())}-${two(d.getMinutes())}-${two(d.getSeconds())}`;
}

/** A file-name-safe label (user ids and stream codes are already narrow; this is the last guard). */
export function safeLabel(label: string): string {
  return label.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'stream';
}

/** Creates the folder if needed and proves it takes a file; RECORDING_FOLDER_UNWRITABLE otherwise. */
export async function assertWritableFolder(folder: string): Promise<void> {
  if (!path.isAbsolute(folder)) throw new LinkMicError('RECORDING_FOLDER_UNWRITABLE', `${folder} is not an absolute path`, { field: 'folder' });
  const probe = path.join(folder, `.linkmic-write-test-${process.pid}`);
  try {
    await mkdir(folder, { recursive: true });
    await access(folder, constants.W_OK);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    throw new LinkMicError('RECORDING_FOLDER_UNWRITABLE', `${folder}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { field: 'folder', cause: error });
  }
}

/** Free bytes for an unprivileged user on the folder's file system. */
export async function freeBytes(folder: string): Promise<number> {
  const stats = await statfs(folder);
  return Number(stats.bavail) * Number(stats.bsize);
}

/** RECORDING_DISK_FULL when the folder's file system has less than `minFreeBytes` free. */
export async function assertFreeSpace(folder: string, minFreeBytes: number): Promise<number> {
  const free = await freeBytes(folder);
  if (free < minFreeBytes) {
    const mb = (n: number) => `${Math.floor(n / (1024 * 1024))} MB`;
    throw new LinkMicError('RECORDING_DISK_FULL', `${mb(free)} free on ${folder}, at least ${mb(minFreeBytes)} needed`, { field: 'folder' });
  }
  return free;
}

/** `{folder}/{stamp}_{label}.mp4`, or `…_{label}-2.mp4` and so on when taken: never overwrites. */
export async function freshFilePath(folder: string, stamp: string, label: string): Promise<string> {
  const base = `${stamp}_${safeLabel(label)}`;
  for (let n = 1; n < 1000; n++) {
    const candidate = path.join(folder, n === 1 ? `${base}.mp4` : `${base}-${n}.mp4`);
    try {
      await access(candidate);
    } catch {
      return candidate;
    }
  }
  throw new LinkMicError('RECORDING_FOLDER_UNWRITABLE', `too many recordings named ${base} in ${folder}`, { field: 'folder' });
}
