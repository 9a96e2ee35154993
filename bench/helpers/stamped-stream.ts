// The stamped stream of the transit benches (bench:origin, bench:cluster): a raw RTMP publisher at
// the big host's rate (15 fps video at ~800 kbps plus 48 kHz AAC-sized audio frames) whose every
// packet body starts with a magic, a sequence number and performance.now() of this process at the
// write; a viewer's transit latency is its arrival time minus that stamp.
import { performance } from 'node:perf_hooks';
import { BIG_HOST_PRESET } from '../../common';
import type { RawRtmpClient } from '../../server/test/helpers/raw-rtmp-client';

export const MAGIC = 0x4c4d4243; // "LMBC"

/** Transit of one received audio (8) or video (9) tag body, or undefined when it is not stamped. */
export function stampedTransitMs(type: number, body: Buffer): number | undefined {
  if (type !== 8 && type !== 9) return undefined;
  // video body starts after 5 header bytes, audio after 2
  const offset = type === 9 ? 5 : 2;
  if (body.length < offset + 16 || body.readUInt32BE(offset) !== MAGIC) return undefined;
  return performance.now() - body.readDoubleBE(offset + 8);
}

export class StampedPublisher {
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private readonly startedAt = performance.now();
  private nextVideoAt = 0;
  private nextAudioAt = 0;
  private readonly videoBytes = Math.round((BIG_HOST_PRESET.videoBitrateKbps * 1000) / 8 / BIG_HOST_PRESET.fps);
  private readonly gop = BIG_HOST_PRESET.fps * BIG_HOST_PRESET.gopSeconds;
  private videoFrames = 0;

  constructor(private readonly client: RawRtmpClient) {}

  start(): void {
    this.client.sendMetadata({ width: BIG_HOST_PRESET.width, height: BIG_HOST_PRESET.height, framerate: BIG_HOST_PRESET.fps, videocodecid: 7, audiocodecid: 10 });
    this.client.sendVideoHeader();
    this.client.sendAudioHeader();
    const tick = (): void => {
      const now = performance.now() - this.startedAt;
      while (this.nextAudioAt <= now) {
        this.client.sendAudio(Math.round(this.nextAudioAt), this.stamped(170));
        this.nextAudioAt += 1024 / 48;
      }
      while (this.nextVideoAt <= now) {
        this.client.sendVideo(Math.round(this.nextVideoAt), this.videoFrames % this.gop === 0, this.stamped(this.videoBytes));
        this.videoFrames += 1;
        this.nextVideoAt += 1000 / BIG_HOST_PRESET.fps;
      }
      this.timer = setTimeout(tick, Math.max(1, Math.min(this.nextAudioAt, this.nextVideoAt) - (performance.now() - this.startedAt)));
    };
    tick();
  }

  /** A body whose first 16 bytes are magic, sequence and the write time. */
  private stamped(size: number): Buffer {
    const body = Buffer.alloc(Math.max(16, size));
    body.writeUInt32BE(MAGIC, 0);
    body.writeUInt32BE(this.seq++ >>> 0, 4);
    body.writeDoubleBE(performance.now(), 8);
    return body;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
