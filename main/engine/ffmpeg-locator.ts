// Finds ffmpeg (user setting -> bundled under resources/ -> PATH) and checks, once, that it runs
// and what it can do (version, encoders, input devices, filters).
import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { isH264EncoderName } from '../../common/encoder-kinds';
import { LinkMicError } from '../../common/errors';
import { runFfmpeg } from '../../node/ffmpeg/ffmpeg-process';
import type { Logger } from '../../node/logger';

export type FfmpegOrigin = 'setting' | 'bundled' | 'path';

export interface FfmpegCandidate {
  readonly path: string;
  readonly origin: FfmpegOrigin;
}

export interface FfmpegInfo extends FfmpegCandidate {
  /** e.g. `5.1.9-0+deb12u1` */
  readonly version: string;
  /** Major version number when it can be read (0 for git builds such as `N-112233-g…`). */
  readonly major: number;
  readonly encoders: readonly string[];
  /** Demuxing devices (`-devices`, D flag): x11grab, v4l2, pulse, alsa, dshow, gdigrab, avfoundation, lavfi… */
  readonly inputDevices: readonly string[];
  readonly filters: readonly string[];
  /** Candidates looked at before this one, and why each was skipped. */
  readonly skipped: ReadonlyArray<{ path: string; origin: FfmpegOrigin; reason: string }>;
}

export interface LocateOptions {
  /** The user's setting (a path to an ffmpeg binary). */
  readonly userPath?: string | undefined;
  /** The app's resources folder; the installer bundles `ffmpeg/<platform>-<arch>/ffmpeg[.exe]` there. */
  readonly resourcesDir?: string | undefined;
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
  /** PATH to search (default process.env.PATH). */
  readonly envPath?: string | undefined;
}

const REQUIRED_ENCODERS = ['aac'];
const REQUIRED_FILTERS = ['scale', 'overlay', 'aresample'];

export function executableName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';
}

export function bundledFfmpegPath(resourcesDir: string, platform: NodeJS.Platform, arch: string): string {
  return path.join(resourcesDir, 'ffmpeg', `${platform}-${arch}`, executableName(platform));
}

/** The candidates in the order we try them; PATH entries are expanded. */
export function ffmpegCandidates(options: LocateOptions): FfmpegCandidate[] {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const result: FfmpegCandidate[] = [];
  if (options.userPath) result.push({ path: options.userPath, origin: 'setting' });
  if (options.resourcesDir) result.push({ path: bundledFfmpegPath(options.resourcesDir, platform, arch), origin: 'bundled' });
  const envPath = options.envPath ?? process.env['PATH'] ?? '';
  const separator = platform === 'win32' ? ';' : ':';
  for (const dir of envPath.split(separator)) {
    if (dir === '') continue;
    const join = platform === 'win32' ? path.win32.join : path.posix.join;
    result.push({ path: join(dir, executableName(platform)), origin: 'path' });
  }
  return result;
}

async function isExecutableFile(file: string): Promise<string | undefined> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return 'not a file';
    await access(file, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not executable' : `cannot be used (${code ?? String(error)})`;
  }
}

/** Parses `ffmpeg -version`'s first line. */
export function parseVersion(text: string): { version: string; major: number } | undefined {
  const match = /ffmpeg version (\S+)/.exec(text);
  if (!match) return undefined;
  const version = match[1] as string;
  const major = /^n?(\d+)\./.exec(version);
  return { version, major: major ? Number(major[1]) : 0 };
}

/** Parses `ffmpeg -encoders` (` V....D libx264  …`). */
export function parseEncoders(text: string): string[] {
  const result: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s([VAS.][F.][S.][X.][B.][D.])\s+(\S+)/.exec(line);
    if (match && match[2] !== '=') result.push(match[2] as string);
  }
  return result;
}

/** Parses `ffmpeg -devices`, returning demuxers (D flag): ` D  x11grab  …`, ` DE pulse …`. */
export function parseInputDevices(text: string): string[] {
  const result: string[] = [];
  let started = false;
  for (const line of text.split('\n')) {
    if (/^\s*--\s*$/.test(line)) {
      started = true;
      continue;
    }
    if (!started) continue;
    const match = /^\s(D)[E ]?\s+(\S+)/.exec(line);
    if (match) for (const name of (match[2] as string).split(',')) result.push(name);
  }
  return result;
}

/** Parses `ffmpeg -filters` (` TSC overlay  VV->V …`). */
export function parseFilters(text: string): string[] {
  const result: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s[T.][S.][C.]\s+(\S+)\s+\S+->\S+/.exec(line);
    if (match) result.push(match[1] as string);
  }
  return result;
}

async function inspect(candidate: FfmpegCandidate, logger: Logger): Promise<FfmpegInfo> {
  const version = await runFfmpeg(candidate.path, ['-version'], logger, { name: 'version', timeoutMs: 10_000 });
  const parsed = parseVersion(version.stdout);
  if (version.code !== 0 || !parsed) {
    throw new LinkMicError(
      'FFMPEG_UNUSABLE',
      `${candidate.path} does not run as ffmpeg (${version.errorLine || `exit code ${version.code ?? version.signal}`}). ` +
        'Install ffmpeg 5 or newer, or choose a working ffmpeg binary in Settings.',
    );
  }
  const [encoders, devices, filters] = await Promise.all([
    runFfmpeg(candidate.path, ['-encoders'], logger, { name: 'encoders' }),
    runFfmpeg(candidate.path, ['-devices'], logger, { name: 'devices' }),
    runFfmpeg(candidate.path, ['-filters'], logger, { name: 'filters' }),
  ]);
  const info: FfmpegInfo = {
    ...candidate,
    version: parsed.version,
    major: parsed.major,
    encoders: parseEncoders(encoders.stdout),
    inputDevices: parseInputDevices(devices.stdout),
    filters: parseFilters(filters.stdout),
    skipped: [],
  };
  const missingEncoders = REQUIRED_ENCODERS.filter((name) => !info.encoders.includes(name));
  const missingFilters = REQUIRED_FILTERS.filter((name) => !info.filters.includes(name));
  const hasH264 = info.encoders.some(isH264EncoderName);
  if (missingEncoders.length > 0 || missingFilters.length > 0 || !hasH264) {
    const missing = [...(hasH264 ? [] : ['an H.264 encoder']), ...missingEncoders, ...missingFilters];
    throw new LinkMicError(
      'FFMPEG_UNUSABLE',
      `ffmpeg ${parsed.version} at ${candidate.path} lacks ${missing.join(', ')}. ` +
        'Install a full ffmpeg build (with libx264), or choose one in Settings.',
    );
  }
  return info;
}

/**
 * Finds and inspects ffmpeg. A user setting that does not work is an error (we never silently
 * ignore what the user chose); a broken bundled binary falls through to PATH.
 */
export async function locateFfmpeg(options: LocateOptions, logger: Logger): Promise<FfmpegInfo> {
  const skipped: Array<{ path: string; origin: FfmpegOrigin; reason: string }> = [];
  for (const candidate of ffmpegCandidates(options)) {
    const problem = await isExecutableFile(candidate.path);
    if (problem) {
      if (candidate.origin === 'setting') {
        throw new LinkMicError(
          'FFMPEG_NOT_FOUND',
          `The ffmpeg chosen in Settings (${candidate.path}) ${problem}. Choose an existing ffmpeg binary, or clear the setting to use the bundled one.`,
        );
      }
      if (candidate.origin === 'bundled') skipped.push({ ...candidate, reason: problem });
      continue;
    }
    try {
      const info = await inspect(candidate, logger);
      logger.info({ path: info.path, origin: info.origin, version: info.version }, 'ffmpeg found');
      return { ...info, skipped };
    } catch (error) {
      if (candidate.origin === 'setting') throw error;
      skipped.push({ ...candidate, reason: error instanceof Error ? error.message : String(error) });
      logger.warn({ path: candidate.path, err: error }, 'ffmpeg candidate unusable');
    }
  }
  const unusable = skipped.filter((entry) => entry.origin === 'path' || !/does not exist/.test(entry.reason));
  if (unusable.length > 0) {
    throw new LinkMicError(
      'FFMPEG_UNUSABLE',
      `No usable ffmpeg: ${unusable.map((entry) => `${entry.path}: ${entry.reason}`).join('; ')}. ` +
        'Reinstall LinkMic Studio (it bundles ffmpeg), install ffmpeg 5 or newer with libx264, or choose a binary in Settings.',
    );
  }
  throw new LinkMicError(
    'FFMPEG_NOT_FOUND',
    'ffmpeg was not found (not set in Settings, not bundled with the app, not on PATH). ' +
      'Reinstall LinkMic Studio (it bundles ffmpeg), install ffmpeg (e.g. `apt install ffmpeg`, `brew install ffmpeg`, `winget install ffmpeg`), or choose the binary in Settings.',
  );
}
