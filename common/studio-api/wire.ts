// How the contract travels (IPC channel names are in channels.ts): the result envelope, the web bridge's
// WebSocket messages, and the PCM format of the renderer's mic frames.
import { z } from 'zod';
import { ValidationError, type ErrorPayload } from '../errors';
import { errorPayloadSchema } from './error-schema';
import { STUDIO_EVENTS, type StudioEventName } from './names';

// ------------------------------------------------------------------ results

/** Every method call resolves with an envelope, so error codes survive IPC (Electron keeps only `message` of a thrown error). */
export type StudioResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorPayload };

// ------------------------------------------------------------------ web bridge (WebSocket)

/** The bridge's WebSocket path on the web host. */
export const WEB_BRIDGE_PATH = '/api/studio';
/** The per-run token: in the page URL's fragment (`#token=…`) and the WebSocket URL's query (`?token=…`). */
export const WEB_TOKEN_PARAM = 'token';
/** WebSocket close code for a missing or wrong token (when the upgrade was accepted at all). */
export const WEB_CLOSE_UNAUTHORIZED = 4401;
/** Largest text message the bridge reads. */
export const WEB_MAX_MESSAGE_BYTES = 256 * 1024;

/** Console → host: a method call (text frame). Binary frames are PCM audio frames. */
export const bridgeCallSchema = z
  .object({
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    method: z.string().min(1).max(64),
    input: z.unknown().optional(),
  })
  .strict();
export type BridgeCall = z.infer<typeof bridgeCallSchema>;

/** Host → console. */
export type BridgeMessage =
  | { readonly type: 'hello'; readonly methods: readonly string[]; readonly events: readonly string[] }
  | { readonly type: 'result'; readonly id: number; readonly result: StudioResult<unknown> }
  | { readonly type: 'event'; readonly event: StudioEventName; readonly payload: unknown }
  /** A message the host could not even route (bad JSON, no id). */
  | { readonly type: 'error'; readonly error: ErrorPayload };

export const bridgeMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), methods: z.array(z.string()), events: z.array(z.string()) }),
  z.object({
    type: z.literal('result'),
    id: z.number(),
    result: z.union([z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: errorPayloadSchema })]),
  }),
  z.object({ type: z.literal('event'), event: z.enum(STUDIO_EVENTS), payload: z.unknown() }),
  z.object({ type: z.literal('error'), error: errorPayloadSchema }),
]);

// ------------------------------------------------------------------ PCM mic frames

/**
 * The renderer's echo-cancelled mic, as the engine's audio input expects it: 48 kHz (mandatory for
 * link-mic), mono, signed 16-bit little-endian. A frame is any whole number of samples up to 1 s.
 */
export const PCM_AUDIO_FORMAT = Object.freeze({
  sampleRate: 48_000,
  channels: 1,
  sampleFormat: 's16le',
  bytesPerSample: 2,
  maxFrameBytes: 48_000 * 2,
} as const);

/** Throws INVALID_ARGUMENT (field `frame`) unless `byteLength` is a whole number of samples, 1 B..1 s. */
export function assertPcmFrameLength(byteLength: number): void {
  if (!Number.isInteger(byteLength) || byteLength <= 0 || byteLength > PCM_AUDIO_FORMAT.maxFrameBytes || byteLength % PCM_AUDIO_FORMAT.bytesPerSample !== 0) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      'frame',
      `an audio frame is 1..${PCM_AUDIO_FORMAT.maxFrameBytes} bytes of s16le samples (even length), got ${byteLength}`,
    );
  }
}
