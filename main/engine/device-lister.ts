// Lists capture devices per OS: X displays, v4l2 cameras and PulseAudio/ALSA sources (Linux);
// DirectShow devices and the desktop (Windows); AVFoundation devices and screens (macOS).
import { readdir, readFile } from 'node:fs/promises';
import { runFfmpeg } from '../../node/ffmpeg/ffmpeg-process';
import type { FfmpegInfo } from './ffmpeg-locator';
import type { Logger } from '../../node/logger';

export interface CaptureDevice {
  /** What to put in a source's `device` / `display` field. */
  readonly id: string;
  readonly label: string;
  /** The ffmpeg input device that captures it. */
  readonly api: 'x11grab' | 'v4l2' | 'pulse' | 'alsa' | 'gdigrab' | 'ddagrab' | 'dshow' | 'avfoundation';
}

export interface DeviceList {
  readonly screens: readonly CaptureDevice[];
  readonly cameras: readonly CaptureDevice[];
  /** Device microphones: no echo cancellation, so not for the on-air mic during link-mic. */
  readonly microphones: readonly CaptureDevice[];
  /** Why a kind could not be listed (e.g. no PulseAudio server). */
  readonly problems: readonly string[];
}

/** Parses `ffmpeg -sources pulse|alsa|v4l2` (`* name [description] (media types)` lines; `*` marks the default). */
export function parseSourcesOutput(text: string): Array<{ id: string; label: string; isDefault: boolean }> {
  const result: Array<{ id: string; label: string; isDefault: boolean }> = [];
  for (const line of text.split('\n')) {
    const match = /^\s*(\*)?\s+(\S+)\s+\[(.*?)\](?:\s+\([^)]*\))?\s*$/.exec(line);
    if (match) result.push({ id: match[2] as string, label: match[3] as string, isDefault: match[1] === '*' });
  }
  return result;
}

/** Parses `ffmpeg -list_devices true -f dshow -i dummy` (stderr). Handles both old and new layouts. */
export function parseDshowDevices(lines: readonly string[]): { video: string[]; audio: string[] } {
  const video: string[] = [];
  const audio: string[] = [];
  let section: 'video' | 'audio' | undefined;
  for (const raw of lines) {
    const line = raw.replace(/^\[dshow @ [^\]]+\]\s*/, '');
    if (/DirectShow video devices/i.test(line)) section = 'video';
    else if (/DirectShow audio devices/i.test(line)) section = 'audio';
    if (/Alternative name/i.test(line)) continue;
    const tagged = /^"(.+)"\s+\((video|audio|none)\)/.exec(line);
    if (tagged) {
      if (tagged[2] === 'video') video.push(tagged[1] as string);
      else if (tagged[2] === 'audio') audio.push(tagged[1] as string);
      continue;
    }
    const plain = /^\s*"(.+)"\s*$/.exec(line);
    if (plain && section) (section === 'video' ? video : audio).push(plain[1] as string);
  }
  return { video, audio };
}

/** Parses `ffmpeg -f avfoundation -list_devices true -i ""` (stderr). */
export function parseAvfoundationDevices(lines: readonly string[]): { video: Array<{ index: string; name: string }>; audio: Array<{ index: string; name: string }> } {
  const video: Array<{ index: string; name: string }> = [];
  const audio: Array<{ index: string; name: string }> = [];
  let section: 'video' | 'audio' | undefined;
  for (const raw of lines) {
    const line = raw.replace(/^\[AVFoundation[^\]]*\]\s*/, '');
    if (/AVFoundation video devices/i.test(line)) section = 'video';
    else if (/AVFoundation audio devices/i.test(line)) section = 'audio';
    else {
      const match = /^\[(\d+)\]\s+(.+)$/.exec(line.trim());
      if (match && section) (section === 'video' ? video : audio).push({ index: match[1] as string, name: (match[2] as string).trim() });
    }
  }
  return { video, audio };
}

async function listX11Displays(): Promise<CaptureDevice[]> {
  const ids = new Set<string>();
  const env = process.env['DISPLAY'];
  if (env) ids.add(env);
  try {
    for (const entry of await readdir('/tmp/.X11-unix')) {
      const match = /^X(\d+)$/.exec(entry);
      if (match) ids.add(`:${match[1]}`);
    }
  } catch {
    // no X sockets
  }
  return [...ids].map((id) => ({ id, label: `X display ${id}`, api: 'x11grab' as const }));
}

async function listV4l2Cameras(): Promise<CaptureDevice[]> {
  let entries: string[];
  try {
    entries = (await readdir('/dev')).filter((name) => /^video\d+$/.test(name));
  } catch {
    return [];
  }
  const result: CaptureDevice[] = [];
  for (const entry of entries.sort()) {
    let label = entry;
    try {
      label = (await readFile(`/sys/class/video4linux/${entry}/name`, 'utf8')).trim() || entry;
    } catch {
      // keep the node name
    }
    result.push({ id: `/dev/${entry}`, label, api: 'v4l2' });
  }
  return result;
}

export async function listDevices(
  ffmpeg: FfmpegInfo,
  logger: Logger,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DeviceList> {
  const problems: string[] = [];
  const has = (device: string): boolean => ffmpeg.inputDevices.includes(device);
  if (platform === 'linux') {
    const screens = has('x11grab') ? await listX11Displays() : [];
    if (!has('x11grab')) problems.push('this ffmpeg has no x11grab: screen capture is unavailable');
    const cameras = has('v4l2') || has('video4linux2') ? await listV4l2Cameras() : [];
    const microphones: CaptureDevice[] = [];
    for (const api of ['pulse', 'alsa'] as const) {
      if (!has(api)) continue;
      const result = await runFfmpeg(ffmpeg.path, ['-sources', api], logger, { name: `sources:${api}`, timeoutMs: 5000, env });
      const found = parseSourcesOutput(result.stdout);
      if (found.length === 0 && (result.code !== 0 || result.errorLine !== '')) problems.push(`${api}: ${result.errorLine || 'cannot list sources'}`);
      for (const source of found) microphones.push({ id: source.id, label: source.label, api });
    }
    return { screens, cameras, microphones, problems };
  }
  if (platform === 'win32') {
    const screens: CaptureDevice[] = [{ id: 'desktop', label: 'Desktop (all screens)', api: 'gdigrab' }];
    if (ffmpeg.filters.includes('ddagrab')) screens.push({ id: '0', label: 'Screen 1 (Desktop Duplication)', api: 'ddagrab' });
    const result = await runFfmpeg(ffmpeg.path, ['-list_devices', 'true', '-f', 'dshow', '-i', 'dummy'], logger, { name: 'sources:dshow', timeoutMs: 10_000, env });
    const dshow = parseDshowDevices(result.stderrTail);
    return {
      screens,
      cameras: dshow.video.map((name) => ({ id: name, label: name, api: 'dshow' as const })),
      microphones: dshow.audio.map((name) => ({ id: name, label: name, api: 'dshow' as const })),
      problems,
    };
  }
  if (platform === 'darwin') {
    const result = await runFfmpeg(ffmpeg.path, ['-f', 'avfoundation', '-list_devices', 'true', '-i', ''], logger, { name: 'sources:avfoundation', timeoutMs: 10_000, env });
    const avf = parseAvfoundationDevices(result.stderrTail);
    const screens = avf.video.filter((d) => /^Capture screen/i.test(d.name));
    const cameras = avf.video.filter((d) => !/^Capture screen/i.test(d.name));
    return {
      screens: screens.map((d) => ({ id: d.name.replace(/^Capture screen\s*/i, ''), label: d.name, api: 'avfoundation' as const })),
      cameras: cameras.map((d) => ({ id: d.name, label: d.name, api: 'avfoundation' as const })),
      microphones: avf.audio.map((d) => ({ id: d.name, label: d.name, api: 'avfoundation' as const })),
      problems,
    };
  }
  return { screens: [], cameras: [], microphones: [], problems: [`device capture is not supported on ${platform}`] };
}
