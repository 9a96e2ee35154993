// The link player's media worker: reads the FLV stream (HTTP-FLV or WS-FLV), demuxes it and
// decodes the audio here, off the page's main thread, and posts the decoded audio straight to the
// playout worklet. A page playing three co-hosts paints three canvases, runs the studio and
// handles its events on one main thread; with the audio path there, every busy moment of that
// thread reached the ear as late audio (docs/player.md, "audio off the main thread"). The page
// gets each chunk's events (video frames and configs with their bytes, audio frames' timestamps)
// stamped with the time they arrived here, so its latency controller sees the network's jitter,
// not its own. Protocol: media-worker-protocol.ts.
import { toErrorPayload } from '../../common/errors';
import { FlvDemuxer, type FlvEvent } from '../../common/media/flv-demuxer';
import type { AacConfig } from '../../common/media/aac-config';
import { aacChunk, aacDecoderConfig, takeAudioData } from './aac-decoding';
import { openFlvSource, type FlvSource } from './flv-source';
import type { FeedPush, PageToWorker, RelayedEvent, WorkerToPage } from './media-worker-protocol';

/** Decoded audio kept while the worklet's port has not arrived (~5 s of 1024-sample frames). */
const MAX_PENDING = 250;

interface WorkerScope {
  onmessage: ((event: MessageEvent<PageToWorker>) => void) | null;
  postMessage(message: WorkerToPage, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;
const epochNow = (): number => performance.timeOrigin + performance.now();

class MediaWorker {
  private readonly demuxer = new FlvDemuxer();
  private source: FlvSource | null = null;
  private generation = 0;
  private timingLog = false;
  private decoder: AudioDecoder | null = null;
  private config: AacConfig | null = null;
  private feed: MessagePort | null = null;
  private epoch = 0;
  private pending: FeedPush[] = [];

  handle(message: PageToWorker): void {
    switch (message.type) {
      case 'open':
        this.open(message.generation, message.url, message.timingLog);
        break;
      case 'close-source':
        this.closeSource();
        break;
      case 'feed':
        this.feed?.close();
        this.feed = message.port;
        for (const push of this.pending) this.sendToFeed(push);
        this.pending = [];
        break;
      case 'audio-epoch':
        this.epoch = message.epoch;
        this.pending = [];
        break;
    }
  }

  private open(generation: number, url: string, timingLog: boolean): void {
    this.closeSource();
    this.generation = generation;
    this.timingLog = timingLog;
    this.demuxer.reset();
    this.pending = [];
    if (this.decoder && this.decoder.state === 'configured') this.decoder.reset();
    this.config = null;
    try {
      this.source = openFlvSource(url, {
        onData: (chunk) => {
          if (generation === this.generation) this.onData(chunk);
        },
        onEnd: (error) => {
          if (generation !== this.generation) return;
          this.source = null;
          scope.postMessage({ type: 'end', generation, ...(error ? { error: error.toPayload() } : {}) });
        },
      });
    } catch (error) {
      scope.postMessage({ type: 'end', generation, error: toErrorPayload(error) });
    }
  }

  private closeSource(): void {
    this.generation += 1;
    this.source?.close();
    this.source = null;
  }

  private onData(chunk: Uint8Array): void {
    const at = epochNow();
    const generation = this.generation;
    let events: FlvEvent[];
    try {
      events = this.demuxer.push(chunk);
    } catch (error) {
      this.closeSource();
      scope.postMessage({ type: 'end', generation, error: toErrorPayload(error) });
      return;
    }
    const relayed: RelayedEvent[] = [];
    const transfer: Transferable[] = [];
    for (const event of events) {
      if (event.kind === 'audio') {
        relayed.push({ kind: 'audio', dts: event.dts });
        this.decode(event.dts, event.data);
        continue;
      }
      if (event.kind === 'audio-config') this.configure(event.config);
      if (event.kind === 'video') transfer.push(event.data.buffer as ArrayBuffer);
      relayed.push(event);
    }
    scope.postMessage({ type: 'chunk', generation, at, bytes: chunk.byteLength, events: relayed }, transfer);
  }

  private configure(config: AacConfig): void {
    if (!this.decoder || this.decoder.state === 'closed') {
      this.decoder = new AudioDecoder({
        output: (data) => this.onDecoded(data),
        error: (error) => {
          scope.postMessage({ type: 'audio-error', generation: this.generation, message: String(error) });
          // A failed decoder is closed: start over with the last configuration.
          this.decoder = null;
          if (this.config) this.configure(this.config);
        },
      });
    }
    this.config = config;
    this.decoder.configure(aacDecoderConfig(config));
  }

  private decode(dts: number, data: Uint8Array): void {
    const decoder = this.decoder;
    if (!decoder || decoder.state !== 'configured') return;
    try {
      decoder.decode(aacChunk(dts, data));
    } catch (error) {
      scope.postMessage({ type: 'audio-error', generation: this.generation, message: String(error) });
    }
  }

  private onDecoded(data: AudioData): void {
    const { ts, planes } = takeAudioData(data);
    const push: FeedPush = { type: 'push', epoch: this.epoch, ts, planes };
    if (this.feed) this.sendToFeed(push);
    else {
      this.pending.push(push);
      if (this.pending.length > MAX_PENDING) this.pending.shift();
    }
    if (this.timingLog) scope.postMessage({ type: 'decoded', generation: this.generation, ts, at: epochNow() });
  }

  private sendToFeed(push: FeedPush): void {
    this.feed?.postMessage(push, push.planes.map((p) => p.buffer as ArrayBuffer));
  }
}

const worker = new MediaWorker();
scope.onmessage = (event) => worker.handle(event.data);
