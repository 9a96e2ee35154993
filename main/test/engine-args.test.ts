// Argument building and parsing, per OS, without running capture devices we do not have here
// (gdigrab/ddagrab/dshow on Windows, avfoundation on macOS, v4l2 cameras, ALSA).
import { chmodSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BIG_HOST_PRESET, SMALL_HOST_PRESET } from '../../common/presets';
import { FfmpegProgressParser, type FfmpegProgress } from '../../node/ffmpeg/ffmpeg-progress';
import { findServerRefusal, pickErrorLine } from '../../node/ffmpeg/ffmpeg-stderr';
import { parseAvfoundationDevices, parseDshowDevices, parseSourcesOutput } from '../engine/device-lister';
import { encoderArgs, hardwareEncoderOrder } from '../engine/encoder-args';
import { ffmpegCandidates, locateFfmpeg, parseEncoders, parseFilters, parseInputDevices, parseVersion } from '../engine/ffmpeg-locator';
import { audioInputArgs, videoInputArgs, type InputContext } from '../engine/input-args';
import { silentLogger } from '../../node/logger';
import { PcmFeeder } from '../engine/pcm-feeder';
import { buildPushCommand, liveMuxerArgs, TRACK_OUT_FD } from '../engine/push-command';
import { resolveSettings } from '../engine/push-engine';
import { hostPortOf } from '../engine/pusher';
import { fromStudioSources } from '../engine/studio-sources';

const ctx = (platform: NodeJS.Platform): InputContext => ({ platform, width: 360, height: 640, fps: 15, pcmFd: 3 });

describe('capture input arguments per OS', () => {
  it('captures an X display (or a region of it) with x11grab on Linux', () => {
    expect(videoInputArgs({ kind: 'screen', display: ':99' }, ctx('linux')).args).toEqual(
      expect.arrayContaining(['-f', 'x11grab', '-framerate', '15', '-i', ':99.0']),
    );
    const region = videoInputArgs({ kind: 'screen', display: ':1', region: { x: 10, y: 20, width: 640, height: 480 }, captureCursor: false }, ctx('linux')).args;
    expect(region.slice(region.indexOf('-f'))).toEqual(['-f', 'x11grab', '-framerate', '15', '-draw_mouse', '0', '-video_size', '640x480', '-i', ':1.0+10,20']);
    expect(videoInputArgs({ kind: 'window', windowId: '0x3a00007', display: ':1' }, ctx('linux')).args).toEqual(
      expect.arrayContaining(['-window_id', '0x3a00007', '-i', ':1.0']),
    );
  });

  it('captures the desktop with gdigrab or ddagrab and a window by title on Windows', () => {
    const gdi = videoInputArgs({ kind: 'screen', region: { x: 0, y: 0, width: 1280, height: 720 } }, ctx('win32')).args;
    expect(gdi.slice(gdi.indexOf('-f'))).toEqual(['-f', 'gdigrab', '-framerate', '15', '-draw_mouse', '1', '-offset_x', '0', '-offset_y', '0', '-video_size', '1280x720', '-i', 'desktop']);
    expect(videoInputArgs({ kind: 'screen', api: 'ddagrab', display: '1' }, ctx('win32')).args).toEqual([
      '-f', 'lavfi', '-i', 'ddagrab=output_idx=1:framerate=15:draw_mouse=1,hwdownload,format=bgra',
    ]);
    expect(videoInputArgs({ kind: 'window', title: 'Game Window' }, ctx('win32')).args).toEqual(expect.arrayContaining(['-f', 'gdigrab', '-i', 'title=Game Window']));
    expect(() => videoInputArgs({ kind: 'window' }, ctx('win32'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'video.title' }));
  });

  it('uses dshow on Windows, avfoundation on macOS and v4l2 on Linux for cameras', () => {
    const camera = { kind: 'camera' as const, device: 'Integrated Camera', width: 640, height: 480 };
    expect(videoInputArgs(camera, ctx('win32')).args).toEqual(expect.arrayContaining(['-f', 'dshow', '-video_size', '640x480', '-i', 'video=Integrated Camera']));
    expect(videoInputArgs({ ...camera, device: 'FaceTime HD Camera' }, ctx('darwin')).args).toEqual(
      expect.arrayContaining(['-f', 'avfoundation', '-framerate', '15', '-i', 'FaceTime HD Camera:none']),
    );
    expect(videoInputArgs({ ...camera, device: '/dev/video0' }, ctx('linux')).args).toEqual(expect.arrayContaining(['-f', 'v4l2', '-i', '/dev/video0']));
  });

  it('captures macOS screens by index with avfoundation and refuses window capture there', () => {
    expect(videoInputArgs({ kind: 'screen', display: '1' }, ctx('darwin')).args).toEqual(expect.arrayContaining(['-f', 'avfoundation', '-capture_cursor', '1', '-i', 'Capture screen 1:none']));
    expect(() => videoInputArgs({ kind: 'window', title: 'x' }, ctx('darwin'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('captures microphones with pulse or alsa, dshow and avfoundation, and renderer PCM from a pipe', () => {
    expect(audioInputArgs({ kind: 'microphone', device: 'default' }, ctx('linux'))?.args).toEqual(expect.arrayContaining(['-f', 'pulse', '-sample_rate', '48000', '-i', 'default']));
    expect(audioInputArgs({ kind: 'microphone', device: 'hw:1', api: 'alsa' }, ctx('linux'))?.args).toEqual(expect.arrayContaining(['-f', 'alsa', '-i', 'hw:1']));
    expect(audioInputArgs({ kind: 'microphone', device: 'Mic (USB)' }, ctx('win32'))?.args).toEqual(expect.arrayContaining(['-f', 'dshow', '-i', 'audio=Mic (USB)']));
    expect(audioInputArgs({ kind: 'microphone', device: 'MacBook Pro Microphone' }, ctx('darwin'))?.args).toEqual(expect.arrayContaining(['-i', ':MacBook Pro Microphone']));
    expect(audioInputArgs({ kind: 'pcm', format: 'f32le' }, ctx('linux'))?.args).toEqual(expect.arrayContaining(['-f', 'f32le', '-ar', '48000', '-ac', '1', '-i', 'pipe:3']));
    expect(audioInputArgs({ kind: 'file' }, ctx('linux'))).toBeUndefined();
  });

  it('loops a media file at its own rate, unless told not to', () => {
    expect(videoInputArgs({ kind: 'file', path: '/m/a.mp4' }, ctx('linux')).args).toEqual(['-re', '-stream_loop', '-1', '-i', '/m/a.mp4']);
    expect(videoInputArgs({ kind: 'file', path: '/m/a.mp4', loop: false }, ctx('linux')).args).toEqual(['-re', '-i', '/m/a.mp4']);
  });
});

describe('encoder arguments', () => {
  it('orders hardware encoders per OS', () => {
    expect(hardwareEncoderOrder('win32')).toEqual(['h264_nvenc', 'h264_qsv', 'h264_amf', 'h264_mf']);
    expect(hardwareEncoderOrder('darwin')).toEqual(['h264_videotoolbox']);
    expect(hardwareEncoderOrder('linux')).toEqual(['h264_nvenc', 'h264_vaapi', 'h264_qsv']);
  });

  it('gives libx264 veryfast/zerolatency, a 1 s GOP without scene cuts and CBR-ish rate control', () => {
    const { output } = encoderArgs('libx264', BIG_HOST_PRESET);
    const pairs = new Map<string, string>();
    for (let i = 0; i < output.length - 1; i += 2) pairs.set(output[i] as string, output[i + 1] as string);
    expect(Object.fromEntries(pairs)).toMatchObject({
      '-c:v': 'libx264', '-preset': 'veryfast', '-tune': 'zerolatency', '-b:v': '800k', '-maxrate': '800k', '-bufsize': '800k', '-g': '15', '-sc_threshold': '0', '-bf': '0',
    });
    expect(encoderArgs('libx264', SMALL_HOST_PRESET).output).toEqual(expect.arrayContaining(['-b:v', '300k']));
  });

  it('uses each hardware encoder’s low-latency options', () => {
    expect(encoderArgs('h264_nvenc', BIG_HOST_PRESET).output).toEqual(expect.arrayContaining(['-tune', 'ull', '-zerolatency', '1', '-rc', 'cbr']));
    expect(encoderArgs('h264_amf', BIG_HOST_PRESET).output).toEqual(expect.arrayContaining(['-usage', 'ultralowlatency']));
    expect(encoderArgs('h264_qsv', BIG_HOST_PRESET).output).toEqual(expect.arrayContaining(['-look_ahead', '0', '-async_depth', '1']));
    expect(encoderArgs('h264_videotoolbox', BIG_HOST_PRESET).output).toEqual(expect.arrayContaining(['-realtime', '1']));
    expect(encoderArgs('h264_mf', BIG_HOST_PRESET).output).toEqual(expect.arrayContaining(['-scenario', 'live_streaming']));
    const vaapi = encoderArgs('h264_vaapi', BIG_HOST_PRESET, { vaapiDevice: '/dev/dri/renderD129' });
    expect(vaapi.global).toEqual(['-vaapi_device', '/dev/dri/renderD129']);
    expect(vaapi.filterTail).toBe('format=nv12,hwupload');
  });
});

describe('push command (one ffmpeg for both tracks)', () => {
  it('overlays the camera on the screen at the bottom right and maps AAC 48 kHz mono to FLV', () => {
    const command = buildPushCommand({
      publish: 'single',
      sources: { video: { kind: 'screen', display: ':0' }, overlay: { source: { kind: 'camera', device: '/dev/video0' }, position: 'bottom-right', widthFraction: 0.33 }, audio: { kind: 'pcm', format: 's16le' } },
      settings: BIG_HOST_PRESET,
      encoder: 'libx264',
      url: 'rtmp://h/live/x',
      platform: 'linux',
    });
    const graph = command.args[command.args.indexOf('-filter_complex') + 1];
    expect(graph).toContain('[1:v]scale=118:-2');
    expect(graph).toContain('[base][pip]overlay=x=W-w-10:y=H-h-10');
    expect(graph).toContain('[2:a]aresample=48000');
    expect(command.pcm).toEqual({ fd: 3, format: 's16le', startAfterInput: 1, fromRenderer: true });
    expect(command.inputCount).toBe(3);
    expect(command.args.slice(-5)).toEqual(['-f', 'flv', '-flvflags', 'no_duration_filesize', 'rtmp://h/live/x']);
    expect(command.args).toEqual(expect.arrayContaining(['-c:a', 'aac', '-ar', '48000', '-ac', '1']));
  });

  it('muxes with low delay: a packet leaves once a later one is queued, the AAC priming packet is dropped, every packet is flushed', () => {
    const { args } = buildPushCommand({ publish: 'single', sources: { video: { kind: 'screen', display: ':0' }, audio: { kind: 'pcm', format: 's16le' } }, settings: BIG_HOST_PRESET, encoder: 'libx264', url: 'rtmp://h/live/x', platform: 'linux' });
    const muxer = args.slice(args.indexOf('-max_interleave_delta'), args.lastIndexOf('-f'));
    expect(muxer).toEqual(['-max_interleave_delta', '1', '-bsf:a', 'noise=drop=lt(pts\\,0)', '-max_muxing_queue_size', '1024', '-flush_packets', '1']);
    expect(args.indexOf('-max_interleave_delta')).toBeGreaterThan(args.indexOf('-c:a'));
    expect(liveMuxerArgs('mpegts')).toEqual([...muxer, '-f', 'mpegts']);
  });

  it('generates a test tone on the live timeline (PCM pipe) next to a capture device, and with lavfi next to the test pattern', () => {
    const live = buildPushCommand({ publish: 'single', sources: { video: { kind: 'screen', display: ':0' }, audio: { kind: 'tone', frequency: 1000 } }, settings: BIG_HOST_PRESET, encoder: 'libx264', url: 'rtmp://h/live/x', platform: 'linux' });
    expect(live.pcm).toEqual({ fd: 3, format: 's16le', startAfterInput: 0, fromRenderer: false, fill: { frequency: 1000 } });
    expect(live.args).toEqual(expect.arrayContaining(['-f', 's16le', '-i', 'pipe:3']));
    const generated = buildPushCommand({ publish: 'single', sources: { video: { kind: 'testPattern' }, audio: { kind: 'tone' } }, settings: BIG_HOST_PRESET, encoder: 'libx264', url: 'rtmp://h/live/x', platform: 'linux' });
    expect(generated.pcm).toBeUndefined();
    expect(generated.args).toEqual(expect.arrayContaining(['-i', 'sine=frequency=440:sample_rate=48000']));
  });

  it('takes the audio of a media file from the file itself', () => {
    const command = buildPushCommand({ sources: { video: { kind: 'file', path: '/a.mp4' }, audio: { kind: 'file' } }, settings: SMALL_HOST_PRESET, encoder: 'libx264', url: 'rtmp://h/live/x', platform: 'linux' });
    expect(command.args[command.args.indexOf('-filter_complex') + 1]).toContain('[0:a]aresample=48000');
    expect(command.pcm).toBeUndefined();
    expect(command.split).toBeUndefined();
  });
});

describe('push command (split: a video and an audio encoder, published by the engine)', () => {
  const screenWithMic = { video: { kind: 'screen', display: ':0' }, overlay: { source: { kind: 'camera', device: '/dev/video0' }, position: 'bottom-right', widthFraction: 0.33 }, audio: { kind: 'pcm', format: 's16le' } } as const;

  it('is the default for RTMP when the engine feeds the audio (renderer mic, tone, silence)', () => {
    for (const audio of [{ kind: 'pcm', format: 's16le' }, { kind: 'tone' }, { kind: 'silence' }] as const) {
      for (const url of ['rtmp://h/live/x', 'rtmps://h/live/x?txSecret=a&txTime=B']) {
        expect(buildPushCommand({ sources: { video: { kind: 'testPattern' }, audio }, settings: BIG_HOST_PRESET, encoder: 'libx264', url, platform: 'linux' }).split?.url).toBe(url);
      }
    }
  });

  it("keeps one ffmpeg for a file output, a media file's own audio and a device microphone", () => {
    const one = (sources: Parameters<typeof buildPushCommand>[0]['sources'], url = 'rtmp://h/live/x') => buildPushCommand({ sources, settings: BIG_HOST_PRESET, encoder: 'libx264', url, platform: 'linux' }).split;
    expect(one({ video: { kind: 'testPattern' }, audio: { kind: 'tone' } }, '/tmp/out.flv')).toBeUndefined();
    expect(one({ video: { kind: 'testPattern' }, audio: { kind: 'tone' } }, 'srt://h:9000')).toBeUndefined();
    expect(one({ video: { kind: 'file', path: '/a.mp4' }, audio: { kind: 'file' } })).toBeUndefined();
    expect(one({ video: { kind: 'testPattern' }, audio: { kind: 'microphone', device: 'default' } })).toBeUndefined();
  });

  it('encodes the pictures alone (inputs, fit, overlay, no audio) to FLV on pipe:4', () => {
    const command = buildPushCommand({ sources: screenWithMic, settings: BIG_HOST_PRESET, encoder: 'libx264', url: 'rtmp://h/live/x', platform: 'linux' });
    const graph = command.args[command.args.indexOf('-filter_complex') + 1];
    expect(graph).toContain('[base][pip]overlay=x=W-w-10:y=H-h-10');
    expect(graph).not.toContain(':a]');
    expect(command.args).toEqual(expect.arrayContaining(['-map', '[vout]', '-an', '-c:v', 'libx264']));
    expect(command.args).not.toContain('-c:a');
    expect(command.args).not.toContain('rtmp://h/live/x');
    expect(command.args.slice(-5)).toEqual(['-f', 'flv', '-flvflags', 'no_duration_filesize', `pipe:${TRACK_OUT_FD}`]);
    expect(command.inputCount).toBe(2);
  });

  it('encodes the PCM alone to AAC 48 kHz mono, the priming packet dropped, to FLV on pipe:4; the feeder starts with the last video input', () => {
    const command = buildPushCommand({ sources: screenWithMic, settings: BIG_HOST_PRESET, encoder: 'libx264', url: 'rtmp://h/live/x', platform: 'linux' });
    const audio = command.split!.audioArgs;
    expect(audio).toEqual(expect.arrayContaining(['-f', 's16le', '-ar', '48000', '-ac', '1', '-i', 'pipe:3', '-c:a', 'aac', '-bsf:a', 'noise=drop=lt(pts\\,0)']));
    expect(audio.slice(-5)).toEqual(['-f', 'flv', '-flvflags', 'no_duration_filesize', `pipe:${TRACK_OUT_FD}`]);
    expect(audio).not.toContain('-c:v');
    expect(command.pcm).toEqual({ fd: 3, format: 's16le', startAfterInput: 1, fromRenderer: true });
    const tone = buildPushCommand({ sources: { video: { kind: 'testPattern' }, audio: { kind: 'tone', frequency: 1000 } }, settings: BIG_HOST_PRESET, encoder: 'libx264', url: 'rtmp://h/live/x', platform: 'linux' });
    expect(tone.pcm).toEqual({ fd: 3, format: 's16le', startAfterInput: 0, fromRenderer: false, fill: { frequency: 1000 } });
  });

  it("states the stream's onMetaData from the preset (the origin reads the picture size from it)", () => {
    const command = buildPushCommand({ sources: screenWithMic, settings: SMALL_HOST_PRESET, encoder: 'libx264', url: 'rtmp://h/live/x', platform: 'linux' });
    expect(command.split!.metadata).toMatchObject({ width: SMALL_HOST_PRESET.width, height: SMALL_HOST_PRESET.height, framerate: SMALL_HOST_PRESET.fps, videocodecid: 7, audiocodecid: 10, audiosamplerate: 48000, stereo: false });
  });
});

describe('parsing ffmpeg output', () => {
  it('reads -progress blocks', () => {
    const blocks: FfmpegProgress[] = [];
    const parser = new FfmpegProgressParser((p) => blocks.push(p));
    parser.push('frame=45\nfps=14.9\nbitrate= 812.3kbits/s\ntotal_size=30');
    parser.push('4567\nout_time_us=3000000\ndup_frames=1\ndrop_frames=2\nspeed=1.01x\nprogress=continue\nframe=46\nbitrate=N/A\nprogress=end\n');
    expect(blocks).toEqual([
      { frame: 45, fps: 14.9, bitrateKbps: 812.3, totalSize: 304567, outTimeMs: 3000, dupFrames: 1, dropFrames: 2, speed: 1.01, progress: 'continue' },
      expect.objectContaining({ frame: 46, bitrateKbps: 0, progress: 'end' }),
    ]);
  });

  it('picks the specific error line over the generic ones, and finds RTMP refusals', () => {
    expect(
      pickErrorLine([
        "Input #0, lavfi, from 'testsrc2':",
        '[h264_nvenc @ 0x55d0c8a0] Cannot load libcuda.so.1',
        'Error initializing output stream 0:0 -- Error while opening encoder for output stream #0:0',
        'Conversion failed!',
      ]),
    ).toBe('h264_nvenc: Cannot load libcuda.so.1');
    expect(findServerRefusal(['[rtmp @ 0x1] Server error: STREAM_CODE_TAKEN: stream code x is already being published'])).toBe(
      'STREAM_CODE_TAKEN: stream code x is already being published',
    );
    expect(findServerRefusal(['rtmp://h/live/x: Connection refused'])).toBeUndefined();
  });

  it('reads version, encoders, input devices and filters', () => {
    expect(parseVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026')).toEqual({ version: '5.1.9-0+deb12u1', major: 5 });
    expect(parseVersion('ffmpeg version n7.1 Copyright')).toEqual({ version: 'n7.1', major: 7 });
    expect(parseEncoders('Encoders:\n V..... = Video\n ------\n V....D libx264              libx264 H.264\n A....D aac                  AAC\n')).toEqual(['libx264', 'aac']);
    expect(parseInputDevices('Devices:\n D. = Demuxing supported\n --\n DE alsa            ALSA\n  E sdl,sdl2        SDL2\n D  video4linux2,v4l2 V4L2\n')).toEqual(['alsa', 'video4linux2', 'v4l2']);
    expect(parseFilters('Filters:\n ... aresample         A->A       Resample\n TSC overlay           VV->V      Overlay\n')).toEqual(['aresample', 'overlay']);
  });

  it('reads device lists of pulse, dshow and avfoundation', () => {
    expect(parseSourcesOutput('Auto-detected sources for pulse:\n* studio_null.monitor [Monitor of Null Output] (none)\n  alsa_input.usb [USB Mic] (audio)\n')).toEqual([
      { id: 'studio_null.monitor', label: 'Monitor of Null Output', isDefault: true },
      { id: 'alsa_input.usb', label: 'USB Mic', isDefault: false },
    ]);
    expect(
      parseDshowDevices([
        '[dshow @ 000001] "Integrated Camera" (video)',
        '[dshow @ 000001]   Alternative name "@device_pnp_\\\\?\\usb#vid"',
        '[dshow @ 000001] "Microphone Array (Realtek)" (audio)',
      ]),
    ).toEqual({ video: ['Integrated Camera'], audio: ['Microphone Array (Realtek)'] });
    expect(
      parseAvfoundationDevices([
        '[AVFoundation indev @ 0x7f] AVFoundation video devices:',
        '[AVFoundation indev @ 0x7f] [0] FaceTime HD Camera',
        '[AVFoundation indev @ 0x7f] [1] Capture screen 0',
        '[AVFoundation indev @ 0x7f] AVFoundation audio devices:',
        '[AVFoundation indev @ 0x7f] [0] MacBook Pro Microphone',
      ]),
    ).toEqual({ video: [{ index: '0', name: 'FaceTime HD Camera' }, { index: '1', name: 'Capture screen 0' }], audio: [{ index: '0', name: 'MacBook Pro Microphone' }] });
  });
});

describe('finding ffmpeg', () => {
  it('looks at the user setting, then resources/ffmpeg/<platform>-<arch>, then PATH', () => {
    expect(ffmpegCandidates({ userPath: '/opt/ff', resourcesDir: '/app/resources', platform: 'linux', arch: 'x64', envPath: '/usr/local/bin:/usr/bin' })).toEqual([
      { path: '/opt/ff', origin: 'setting' },
      { path: '/app/resources/ffmpeg/linux-x64/ffmpeg', origin: 'bundled' },
      { path: '/usr/local/bin/ffmpeg', origin: 'path' },
      { path: '/usr/bin/ffmpeg', origin: 'path' },
    ]);
    expect(ffmpegCandidates({ resourcesDir: 'C:\\app\\resources', platform: 'win32', arch: 'x64', envPath: 'C:\\ffmpeg\\bin' }).map((c) => c.path)).toEqual([
      path.join('C:\\app\\resources', 'ffmpeg', 'win32-x64', 'ffmpeg.exe'),
      'C:\\ffmpeg\\bin\\ffmpeg.exe',
    ]);
  });

  it('says FFMPEG_NOT_FOUND with what to do when there is none', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'engine-noffmpeg-'));
    await expect(locateFfmpeg({ resourcesDir: empty, envPath: empty }, silentLogger())).rejects.toMatchObject({ code: 'FFMPEG_NOT_FOUND', message: expect.stringMatching(/install ffmpeg/i) });
    await expect(locateFfmpeg({ userPath: path.join(empty, 'ffmpeg') }, silentLogger())).rejects.toMatchObject({ code: 'FFMPEG_NOT_FOUND', message: expect.stringMatching(/Settings/) });
  });

  it('says FFMPEG_UNUSABLE for a chosen binary that is not ffmpeg, and skips a broken bundled one for PATH', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'engine-fakeffmpeg-'));
    const fake = path.join(dir, 'ffmpeg');
    writeFileSync(fake, '#!/bin/sh\necho "this is not ffmpeg" >&2\nexit 3\n');
    chmodSync(fake, 0o755);
    await expect(locateFfmpeg({ userPath: fake }, silentLogger())).rejects.toMatchObject({ code: 'FFMPEG_UNUSABLE', message: expect.stringMatching(/does not run as ffmpeg/) });
    const bundledDir = path.join(dir, 'resources', 'ffmpeg', `${process.platform}-${process.arch}`);
    mkdirSync(bundledDir, { recursive: true });
    writeFileSync(path.join(bundledDir, 'ffmpeg'), '#!/bin/sh\nexit 1\n');
    chmodSync(path.join(bundledDir, 'ffmpeg'), 0o755);
    const found = await locateFfmpeg({ resourcesDir: path.join(dir, 'resources'), envPath: '/usr/bin' }, silentLogger());
    expect(found).toMatchObject({ path: '/usr/bin/ffmpeg', origin: 'path' });
    expect(found.skipped[0]).toMatchObject({ origin: 'bundled', reason: expect.stringMatching(/does not run as ffmpeg/) });
  });
});

describe('settings, sources and URLs', () => {
  it('merges custom settings into the role preset and validates them', () => {
    expect(resolveSettings('small')).toEqual(SMALL_HOST_PRESET);
    expect(resolveSettings('big', { videoBitrateKbps: 1200 })).toMatchObject({ width: 360, height: 640, videoBitrateKbps: 1200 });
    expect(() => resolveSettings('big', { fps: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', field: 'settings.fps' }));
  });

  it('maps the StudioApi sources onto engine sources (renderer mic = s16le PCM pipe)', () => {
    expect(fromStudioSources({ video: { kind: 'screen', displayId: ':1' }, audio: { kind: 'renderer-mic' } })).toEqual({
      video: { kind: 'screen', display: ':1' },
      audio: { kind: 'pcm', format: 's16le' },
    });
    expect(fromStudioSources({ video: { kind: 'test-pattern' }, audio: { kind: 'none' } })).toEqual({ video: { kind: 'testPattern' }, audio: { kind: 'silence' } });
  });

  it('finds host and port of RTMP URLs', () => {
    expect(hostPortOf('rtmp://127.0.0.1:1936/live/x?txSecret=a')).toEqual({ host: '127.0.0.1', port: 1936 });
    expect(hostPortOf('rtmp://push.example.com/live/x')).toEqual({ host: 'push.example.com', port: 1935 });
    expect(hostPortOf('rtmp://[::1]:2000/live/x')).toEqual({ host: '::1', port: 2000 });
  });
});

describe('PCM feeder', () => {
  it('writes renderer audio in order after its jitter buffer, converting float to s16', async () => {
    const feeder = new PcmFeeder({ format: 's16le', jitterMs: 10 }, silentLogger());
    feeder.write(new Float32Array(960).fill(0.5)); // 20 ms at half scale
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    feeder.attach(out);
    await new Promise((resolve) => setTimeout(resolve, 80));
    feeder.detach();
    const all = Buffer.concat(chunks);
    const samples = new Int16Array(all.buffer.slice(all.byteOffset, all.byteOffset + all.length));
    expect(Array.from(samples.slice(0, 960)).every((s) => s === 16384)).toBe(true);
    expect(samples.length).toBeGreaterThan(960); // then silence, so the stream never stalls
    expect(samples[samples.length - 1]).toBe(0);
    expect(feeder.stats).toMatchObject({ rendererSamples: 960, droppedSamples: 0 });
    expect(feeder.stats.silenceSamples).toBe(samples.length - 960);
  });

  it('drops the oldest renderer audio beyond its latency cap', () => {
    const feeder = new PcmFeeder({ format: 's16le', maxQueueMs: 100 }, silentLogger());
    for (let i = 0; i < 10; i++) feeder.write(new Int16Array(960)); // 200 ms queued while not attached
    expect(feeder.stats.droppedSamples).toBe(4800);
    expect(() => feeder.write(Buffer.alloc(3))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
