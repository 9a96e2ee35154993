// The push's default for RTMP: the pictures and the sound encoded by two ffmpeg processes, their FLV
// tags published by the engine's own RTMP client as each encoder emits them. Real ffmpeg, the real
// origin (node-media-server behind our admission), ffprobe reading HTTP-FLV back.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIG_HOST_PRESET } from '../../common/presets';
import { silentLogger } from '../../node/logger';
import { FlvTagReader } from '../engine/flv-tag-reader';
import { buildPushCommand } from '../engine/push-command';
import { PushEngine } from '../engine/push-engine';
import { Pusher } from '../engine/pusher';
import { isAlive, probeStreams, runChild, waitUntil } from './helpers/engine-media';
import { TestOrigin } from './helpers/engine-origin';
// eslint-disable-next-line no-restricted-imports -- a second real RTMP server for the publisher: the cluster tests' nginx-rtmp
import { nginxRtmpMissing, startNginxRtmp } from '../../server/test/helpers/nginx-rtmp';

const SOURCES = { video: { kind: 'testPattern' }, audio: { kind: 'tone', frequency: 1000 } } as const;

/** PIDs of ffmpeg children of this process whose command line contains `marker`. */
async function ffmpegChildren(marker: string): Promise<number[]> {
  const ps = await runChild('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)]);
  return ps.stdout.toString('utf8')
    .split('\n')
    .filter((line) => /\bffmpeg\b/.test(line) && line.includes(marker))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

describe('FLV tag reader (an encoder pipe split into tags)', () => {
  it('returns each tag once it is complete, whatever the chunking, with 32-bit timestamps', () => {
    const tag = (type: number, timestamp: number, body: number[]): Buffer => {
      const head = Buffer.alloc(11);
      head[0] = type;
      head.writeUIntBE(body.length, 1, 3);
      head.writeUIntBE(timestamp & 0xffffff, 4, 3);
      head[7] = (timestamp >>> 24) & 0xff;
      const size = Buffer.alloc(4);
      size.writeUInt32BE(11 + body.length);
      return Buffer.concat([head, Buffer.from(body), size]);
    };
    const header = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);
    const stream = Buffer.concat([header, tag(9, 0, [0x17, 0, 1, 2]), tag(8, 21, [0xaf, 1, 9]), tag(8, 0x1_000_0010, [0xaf, 1])]);
    for (const step of [1, 7, stream.length]) {
      const reader = new FlvTagReader();
      const tags = [];
      for (let i = 0; i < stream.length; i += step) tags.push(...reader.push(stream.subarray(i, i + step)));
      expect(tags.map((t) => [t.type, t.timestamp, [...t.body]])).toEqual([
        [9, 0, [0x17, 0, 1, 2]],
        [8, 21, [0xaf, 1, 9]],
        [8, 0x1_000_0010, [0xaf, 1]],
      ]);
    }
  });

  it('refuses a stream that is not FLV, and an absurd tag size, with its own error', () => {
    expect(() => new FlvTagReader().push(Buffer.from('ffmpeg version 5.1 Copyright'))).toThrow(expect.objectContaining({ code: 'FLV_MALFORMED' }));
    const huge = Buffer.concat([Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]), Buffer.from([9, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0])]);
    expect(() => new FlvTagReader().push(huge)).toThrow(expect.objectContaining({ code: 'FLV_MALFORMED' }));
  });
});

describe('the audio encoder of a split push', () => {
  it('emits its first AAC frame from 200 ms of PCM (no probing of the pipe, so the sound starts with the picture)', async () => {
    const command = buildPushCommand({ sources: SOURCES, settings: BIG_HOST_PRESET, encoder: 'libx264', url: 'rtmp://127.0.0.1/live/x', platform: 'linux' });
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...command.split!.audioArgs], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    try {
      const pcm = child.stdio[3] as Writable;
      const flv = child.stdio[4] as Readable;
      const reader = new FlvTagReader();
      const firstFrame = new Promise<boolean>((resolve) => {
        flv.on('data', (chunk: Buffer) => {
          if (reader.push(chunk).some((tag) => tag.type === 8 && tag.body[1] === 1)) resolve(true);
        });
        setTimeout(() => resolve(false), 10_000);
      });
      pcm.write(Buffer.alloc(9600 * 2)); // 200 ms of 48 kHz mono s16le, and then nothing more
      expect(await firstFrame, 'an AAC frame (not just the sequence header) from 200 ms of PCM').toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('split push (two encoders, our RTMP publish)', () => {
  let origin: TestOrigin;

  beforeAll(async () => {
    origin = await TestOrigin.start();
  });

  afterAll(async () => {
    await origin?.close();
  });

  it('publishes a video encoder and an audio encoder as one stream with the preset picture and AAC 48 kHz', async () => {
    const engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg' });
    try {
      await engine.start({ url: origin.pushUrl('split_av'), role: 'big', sources: SOURCES });
      const streams = await probeStreams(origin.flvUrl('split_av'));
      expect(streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: BIG_HOST_PRESET.width, height: BIG_HOST_PRESET.height });
      expect(streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac', sample_rate: '48000', channels: 1 });
      // Two encoders: the pictures' (lavfi test pattern, no audio) and the sound's (PCM from the engine).
      const videoEncoders = await ffmpegChildren('testsrc2');
      const audioEncoders = await ffmpegChildren('s16le');
      expect(videoEncoders).toHaveLength(1);
      expect(audioEncoders).toHaveLength(1);
      expect(engine.pushPid).toBe(videoEncoders[0]);
      await waitUntil(() => (engine.stats?.bitrateKbps ?? 0) > 0, 10_000, 'a bitrate from the bytes published');
    } finally {
      await engine.close();
    }
    expect(await ffmpegChildren('testsrc2')).toEqual([]);
    expect(await ffmpegChildren('s16le')).toEqual([]);
  });

  it('starts both tracks at 0 and keeps them together (the first packets of each within a frame of each other)', async () => {
    const engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg' });
    try {
      await engine.start({ url: origin.pushUrl('split_ts'), role: 'big', sources: SOURCES });
      const probe = await runChild('ffprobe', ['-v', 'error', '-rw_timeout', '10000000', '-read_intervals', '%+4', '-show_entries', 'packet=codec_type,pts_time', '-of', 'csv=p=0', origin.flvUrl('split_ts')], 30_000);
      const packets = probe.stdout.toString('utf8').trim().split('\n').map((line) => line.split(',')).map(([type, pts]) => ({ type, pts: Number(pts) }));
      const audio = packets.filter((p) => p.type === 'audio');
      const video = packets.filter((p) => p.type === 'video');
      expect(audio.length).toBeGreaterThan(20);
      expect(video.length).toBeGreaterThan(10);
      // A late player gets the GOP cache: compare the tracks' latest timestamps, both live.
      const lastAudio = audio[audio.length - 1]!.pts;
      const lastVideo = video[video.length - 1]!.pts;
      expect(Math.abs(lastAudio - lastVideo)).toBeLessThan(0.5);
    } finally {
      await engine.close();
    }
  });

  it('starts again (both encoders) when the audio encoder dies mid-push, and goes live again', async () => {
    const engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg', backoff: { initialMs: 200, maxMs: 500 } });
    try {
      await engine.start({ url: origin.pushUrl('split_crash'), role: 'big', sources: SOURCES });
      const [audioPid] = await ffmpegChildren('s16le');
      const videoPid = engine.pushPid as number;
      const reconnected = engine.next('reconnected', 30_000);
      process.kill(audioPid as number, 'SIGKILL');
      const event = await reconnected;
      expect(event.attempt).toBe(1);
      expect(isAlive(videoPid)).toBe(false);
      expect(engine.state).toBe('live');
      expect(engine.pushPid).not.toBe(videoPid);
      const streams = (await probeStreams(origin.flvUrl('split_crash'))).map((s) => s.codec_type);
      expect(streams).toEqual(expect.arrayContaining(['audio', 'video']));
    } finally {
      await engine.close();
    }
  });

  it('counts a server that closes the connection without an answer as a refusal after three tries, not a loop', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as net.AddressInfo).port;
    const url = `rtmp://127.0.0.1:${port}/live/nobody`;
    const command = buildPushCommand({ sources: SOURCES, settings: BIG_HOST_PRESET, encoder: 'libx264', url, platform: 'linux' });
    expect(command.split).toBeDefined();
    const pusher = new Pusher({ ffmpegPath: '/usr/bin/ffmpeg', command, encoder: 'libx264', url, backoff: { initialMs: 50, maxMs: 100 } }, silentLogger());
    const reasons: string[] = [];
    pusher.on('reconnecting', (event) => reasons.push(event.reason));
    try {
      await expect(pusher.start()).rejects.toMatchObject({ code: 'PUBLISH_REFUSED', message: expect.stringMatching(/refused the publish 3 times/) });
      expect(reasons).toHaveLength(2);
      expect(reasons[0]).toMatch(/rtmp/);
    } finally {
      await pusher.close();
      await new Promise<void>((ok) => server.close(() => ok()));
    }
    expect(await ffmpegChildren('testsrc2')).toEqual([]);
  });

  it('says the server is unreachable when nothing listens, after the initial attempts', async () => {
    const server = net.createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((ok) => server.close(() => ok()));
    const url = `rtmp://127.0.0.1:${port}/live/closed`;
    const command = buildPushCommand({ sources: SOURCES, settings: BIG_HOST_PRESET, encoder: 'libx264', url, platform: 'linux' });
    const pusher = new Pusher({ ffmpegPath: '/usr/bin/ffmpeg', command, encoder: 'libx264', url, backoff: { initialMs: 50, maxMs: 100, maxInitialAttempts: 1 } }, silentLogger());
    try {
      await expect(pusher.start()).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE', message: expect.stringContaining(`127.0.0.1:${port}`) });
    } finally {
      await pusher.close();
    }
  });
});

/** nginx-rtmp (the cluster deployments' server) as a second real peer; CI installs it (scripts/system-packages.txt). */
describe.skipIf(nginxRtmpMissing() !== undefined)('split push to nginx-rtmp', () => {
  it('publishes to nginx-rtmp, and stops with PUBLISH_REFUSED (not a loop) when its on_publish hook says no', async () => {
    // The hooks: yes to `open_*` streams, 403 to the rest (nginx-rtmp then drops the publisher).
    const hooks = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const params = new URLSearchParams(body);
        const refuse = params.get('call') === 'publish' && !(params.get('name') ?? '').startsWith('open_');
        response.writeHead(refuse ? 403 : 200).end();
      });
    });
    await new Promise<void>((ok) => hooks.listen(0, '127.0.0.1', ok));
    const hooksUrl = `http://127.0.0.1:${(hooks.address() as net.AddressInfo).port}`;
    const probe = net.createServer();
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((ok) => probe.close(() => ok()));
    const nginx = await startNginxRtmp(port, { role: 'origin', node: 'split', hooksUrl });
    const engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg', backoff: { initialMs: 100, maxMs: 200 } });
    try {
      await engine.start({ url: `${nginx.rtmpBase}/open_split`, role: 'small', sources: SOURCES });
      const streams = await probeStreams(`${nginx.rtmpBase}/open_split`);
      expect(streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 320, height: 480 });
      expect(streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac', sample_rate: '48000' });
      await engine.stop();
      await expect(engine.start({ url: `${nginx.rtmpBase}/closed_split`, role: 'small', sources: SOURCES })).rejects.toMatchObject({ code: 'PUBLISH_REFUSED' });
      expect(engine.state).toBe('idle');
    } finally {
      await engine.close();
      await nginx.stop();
      await new Promise<void>((ok) => hooks.close(() => ok()));
    }
  });
});
