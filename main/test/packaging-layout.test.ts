// Packaging: electron-builder.yml names every installer target and bundles ffmpeg; an unpacked
// `--dir` build against a stub Electron (no binary is downloaded here) lands app.asar with the
// built main, preload and renderer, and resources/ffmpeg where the engine looks for it.
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import asar from '@electron/asar';
import yaml from 'js-yaml';
import { bundledFfmpegPath } from '../engine/ffmpeg-locator';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');

interface BuilderConfig {
  appId: string;
  electronVersion: string;
  asar: boolean;
  files: string[];
  extraResources: Array<{ from: string; to: string }>;
  linux: { target: string[] };
  win: { target: Array<{ target: string }> };
  mac: { target: Array<{ target: string }>; extendInfo: Record<string, string> };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

describe('electron-builder configuration', () => {
  let config: BuilderConfig;
  beforeAll(async () => {
    config = yaml.load(await readFile(path.join(repo, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
  });

  it('builds AppImage and deb for Linux, NSIS for Windows and dmg for macOS', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis']);
    expect(config.mac.target.map((t) => t.target)).toEqual(['dmg']);
    expect(config.mac.extendInfo).toHaveProperty('NSMicrophoneUsageDescription');
  });

  it('pins the Electron version of package.json and packs the app into an asar', async () => {
    const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; main: string };
    expect(config.electronVersion).toBe(pkg.devDependencies['electron']);
    expect(config.asar).toBe(true);
    expect(pkg.main).toBe('dist/main/electron-main.cjs');
  });

  it('bundles the per-target ffmpeg into resources/ffmpeg/<platform>-<arch>, where the engine looks', () => {
    const ffmpeg = config.extraResources.find((r) => r.from.startsWith('resources/ffmpeg/'));
    expect(ffmpeg).toEqual(expect.objectContaining({ from: 'resources/ffmpeg/${platform}-${arch}', to: 'ffmpeg/${platform}-${arch}' }));
    expect(bundledFfmpegPath('/R', 'linux', 'x64')).toBe(path.join('/R', 'ffmpeg', 'linux-x64', 'ffmpeg'));
  });
});

describe.runIf(process.platform === 'linux')('unpacked --dir build against a stub Electron', () => {
  let work: string;
  let unpacked: string;
  const arch = process.arch;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'studio-pack-'));
    const project = path.join(work, 'project');
    const stub = path.join(work, 'electron-stub');
    // A project with the real configuration and a stand-in build (no npm dependencies to collect).
    await mkdir(path.join(project, 'dist', 'main'), { recursive: true });
    await mkdir(path.join(project, 'dist', 'preload'), { recursive: true });
    await mkdir(path.join(project, 'dist', 'renderer', 'assets'), { recursive: true });
    await mkdir(path.join(project, 'resources', 'ffmpeg', `linux-${arch}`), { recursive: true });
    await cp(path.join(repo, 'electron-builder.yml'), path.join(project, 'electron-builder.yml'));
    await writeFile(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'linkmic-studio', version: '0.1.0', description: 'LinkMic Studio', author: 'LinkMic Studio contributors', main: 'dist/main/electron-main.cjs', license: 'UNLICENSED' }),
    );
    await writeFile(path.join(project, 'dist', 'main', 'electron-main.cjs'), '// main\n');
    await writeFile(path.join(project, 'dist', 'main', 'electron-main.cjs.map'), '{}');
    await writeFile(path.join(project, 'dist', 'preload', 'preload.cjs'), '// preload\n');
    await writeFile(path.join(project, 'dist', 'renderer', 'index.html'), '<!doctype html>');
    await writeFile(path.join(project, 'dist', 'renderer', 'assets', 'index.js'), '// console\n');
    await writeFile(path.join(project, 'resources', 'ffmpeg', `linux-${arch}`, 'ffmpeg'), '#!/bin/sh\necho fake ffmpeg\n');
    await chmod(path.join(project, 'resources', 'ffmpeg', `linux-${arch}`, 'ffmpeg'), 0o755);
    await writeFile(path.join(project, 'resources', 'ffmpeg', 'README.md'), '# ffmpeg\n');
    // The stub Electron distribution: an executable named electron.
    await mkdir(path.join(stub, 'resources'), { recursive: true });
    await writeFile(path.join(stub, 'electron'), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(stub, 'electron'), 0o755);
    await writeFile(path.join(stub, 'LICENSE'), 'stub');
    await run(path.join(repo, 'node_modules', '.bin', 'electron-builder'), ['--dir', '--linux', `--${arch}`, '--projectDir', project, `--config.electronDist=${stub}`, '--publish', 'never'], {
      cwd: project,
      env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false', ELECTRON_BUILDER_CACHE: path.join(work, 'cache'), ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      timeout: 120_000,
    });
    unpacked = path.join(project, 'release', arch === 'x64' ? 'linux-unpacked' : `linux-${arch}-unpacked`);
  }, 150_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('names the executable after the app', async () => {
    expect(await exists(path.join(unpacked, 'linkmic-studio'))).toBe(true);
  });

  it('packs dist/main, dist/preload and dist/renderer into app.asar, without source maps', () => {
    const files = asar.listPackage(path.join(unpacked, 'resources', 'app.asar'), { isPack: false }).map((f) => f.replace(/\\/g, '/'));
    expect(files).toEqual(expect.arrayContaining(['/package.json', '/dist/main/electron-main.cjs', '/dist/preload/preload.cjs', '/dist/renderer/index.html', '/dist/renderer/assets/index.js']));
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('/resources'))).toEqual([]);
  });

  it('puts ffmpeg next to app.asar at resources/ffmpeg/linux-<arch>/ffmpeg, still executable', async () => {
    const ffmpeg = bundledFfmpegPath(path.join(unpacked, 'resources'), 'linux', arch);
    expect(await exists(ffmpeg)).toBe(true);
    expect((await stat(ffmpeg)).mode & 0o111).not.toBe(0);
  });
});
