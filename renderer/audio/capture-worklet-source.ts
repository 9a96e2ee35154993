// The AudioWorklet processor of the mic capture, as source text: loaded from a Blob URL so the
// module needs no extra file in the build. It only moves samples off the audio thread: the
// packing to 48 kHz frames happens in PcmFramePacker on the main thread.
// Blocks with no input (no microphone connected) are sent as zeros flagged `gap`, so the PCM
// stream to the engine never stops while a device is re-acquired.

export const CAPTURE_PROCESSOR_NAME = 'linkmic-mic-capture';

/** Samples per message (4 render quanta ≈ 10.7 ms at 48 kHz). */
export const CAPTURE_CHUNK_SAMPLES = 512;

export interface CaptureChunkMessage {
  readonly samples: Float32Array;
  readonly gap: boolean;
}

export const CAPTURE_WORKLET_SOURCE = `
class LinkMicCaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.size = ${CAPTURE_CHUNK_SAMPLES};
    this.buffer = new Float32Array(this.size);
    this.filled = 0;
    this.gap = false;
    this.stopped = false;
    this.port.onmessage = (event) => { if (event.data === 'stop') this.stopped = true; };
  }
  process(inputs) {
    if (this.stopped) return false;
    const input = inputs[0];
    const channels = input ? input.length : 0;
    const length = channels > 0 ? input[0].length : 128;
    let offset = 0;
    while (offset < length) {
      const take = Math.min(this.size - this.filled, length - offset);
      if (channels === 0) {
        this.buffer.fill(0, this.filled, this.filled + take);
        this.gap = true;
      } else if (channels === 1) {
        this.buffer.set(input[0].subarray(offset, offset + take), this.filled);
      } else {
        for (let i = 0; i < take; i += 1) {
          let sum = 0;
          for (let c = 0; c < channels; c += 1) sum += input[c][offset + i];
          this.buffer[this.filled + i] = sum / channels;
        }
      }
      this.filled += take;
      offset += take;
      if (this.filled === this.size) {
        this.port.postMessage({ samples: this.buffer, gap: this.gap }, [this.buffer.buffer]);
        this.buffer = new Float32Array(this.size);
        this.filled = 0;
        this.gap = false;
      }
    }
    return true;
  }
}
registerProcessor('${CAPTURE_PROCESSOR_NAME}', LinkMicCaptureProcessor);
`;
