// What the engine can capture, validated with zod at the engine's boundary.
import { z } from 'zod';

const region = z.object({
  x: z.number().int().min(0),
  y: z.number().int().min(0),
  width: z.number().int().min(16).max(8192).multipleOf(2),
  height: z.number().int().min(16).max(8192).multipleOf(2),
});

export const videoSourceSchema = z.discriminatedUnion('kind', [
  /** lavfi testsrc2 colour bars with a running counter. */
  z.object({ kind: z.literal('testPattern') }),
  /**
   * A whole screen. `display`: Linux X display (`:0`, `:0.0`); macOS screen index (`0` -> "Capture screen 0");
   * Windows monitor index for ddagrab (gdigrab always captures the desktop, or `region`).
   */
  z.object({
    kind: z.literal('screen'),
    display: z.string().max(64).optional(),
    region: region.optional(),
    captureCursor: z.boolean().optional(),
    /** Windows only: `ddagrab` (Desktop Duplication, ffmpeg >= 6) or `gdigrab` (default). */
    api: z.enum(['gdigrab', 'ddagrab']).optional(),
  }),
  /** One window: Windows by title (gdigrab), Linux by X window id (x11grab `-window_id`). */
  z.object({
    kind: z.literal('window'),
    title: z.string().min(1).max(512).optional(),
    windowId: z.string().regex(/^(0x[0-9a-fA-F]+|\d+)$/).optional(),
    display: z.string().max(64).optional(),
  }),
  /** A camera by device: `/dev/video0` (Linux), the DirectShow name (Windows), the AVFoundation name or index (macOS). */
  z.object({
    kind: z.literal('camera'),
    device: z.string().min(1).max(512),
    width: z.number().int().min(16).max(8192).optional(),
    height: z.number().int().min(16).max(8192).optional(),
    fps: z.number().int().min(1).max(120).optional(),
  }),
  /** A media file, played at its own rate, looped by default. */
  z.object({ kind: z.literal('file'), path: z.string().min(1).max(4096), loop: z.boolean().optional() }),
]);
export type VideoSource = z.infer<typeof videoSourceSchema>;

export const audioSourceSchema = z.discriminatedUnion('kind', [
  /** lavfi sine tone. */
  z.object({ kind: z.literal('tone'), frequency: z.number().min(20).max(20_000).optional() }),
  /**
   * An ffmpeg-captured microphone. No echo cancellation: never the on-air mic during link-mic (aec-notes).
   * `api`: Linux `pulse` (default) or `alsa`; ignored elsewhere (dshow / avfoundation).
   */
  z.object({ kind: z.literal('microphone'), device: z.string().min(1).max(512), api: z.enum(['pulse', 'alsa']).optional() }),
  /** 48 kHz mono PCM frames from the renderer's echo-cancelled microphone, written with `pushPcm()`. */
  z.object({ kind: z.literal('pcm'), format: z.enum(['s16le', 'f32le']) }),
  /** The audio of the video source file. */
  z.object({ kind: z.literal('file') }),
  /** Digital silence (FLV players expect an audio track). */
  z.object({ kind: z.literal('silence') }),
]);
export type AudioSource = z.infer<typeof audioSourceSchema>;

export const overlayPositionSchema = z.enum(['bottom-right', 'bottom-left', 'top-right', 'top-left']);
export type OverlayPosition = z.infer<typeof overlayPositionSchema>;

export const sourceSetupSchema = z.object({
  video: videoSourceSchema,
  /** A second picture over the first (the camera over the screen). */
  overlay: z
    .object({
      source: videoSourceSchema,
      position: overlayPositionSchema.default('bottom-right'),
      /** Overlay width as a fraction of the output width. */
      widthFraction: z.number().min(0.1).max(0.9).default(0.33),
    })
    .optional(),
  audio: audioSourceSchema,
});
export type SourceSetup = z.infer<typeof sourceSetupSchema>;
export type SourceSetupInput = z.input<typeof sourceSetupSchema>;

export const TEST_SOURCES: SourceSetup = Object.freeze({ video: { kind: 'testPattern' }, audio: { kind: 'tone' } }) as SourceSetup;
