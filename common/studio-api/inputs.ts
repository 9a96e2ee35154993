// Input schemas of the StudioApi: the shapes a renderer (over IPC) or a remote console (over the
// web bridge) may send. Every method's input is parsed with these in main before StudioCore sees it.
import { z } from 'zod';
import { guestLimitSchema } from '../link-quota';
import { mixTemplateIdSchema } from '../mix-templates';
import { LOCALES } from '../i18n';
import { encoderSettingsSchema } from '../presets';
import { layoutSchema, streamCodeSchema, userIdSchema } from '../layout';
import { battleVoteKindSchema } from '../signal/pk-battle';

export { streamCodeSchema, userIdSchema };

const entityId = z.string().min(1).max(64);
const reason = z.string().max(200);
const port = z.number().int().min(0).max(65_535);

// ------------------------------------------------------------------ sources

/** What the engine encodes as picture. */
export const videoSourceSchema = z.discriminatedUnion('kind', [
  /** ffmpeg lavfi test pattern (testsrc2): always available. */
  z.object({ kind: z.literal('test-pattern') }),
  /** A capture device as listed by `listSources` (v4l2 / dshow / avfoundation id). */
  z.object({ kind: z.literal('camera'), deviceId: z.string().min(1).max(256) }),
  /** The desktop (x11grab / gdigrab / avfoundation screen). */
  z.object({ kind: z.literal('screen'), displayId: z.string().min(1).max(256).optional() }),
  /** A media file, looped. */
  z.object({ kind: z.literal('file'), path: z.string().min(1).max(4096) }),
]);
export type VideoSource = z.infer<typeof videoSourceSchema>;

/** What the engine encodes as sound. */
export const audioSourceSchema = z.discriminatedUnion('kind', [
  /**
   * The renderer's echo-cancelled microphone: the renderer captures with getUserMedia and streams
   * PCM frames (`sendAudioFrame`). The only source that gets AEC, so the default for link-mic.
   */
  z.object({ kind: z.literal('renderer-mic') }),
  /** A sine test tone (lavfi sine). */
  z.object({ kind: z.literal('test-tone'), frequencyHz: z.number().min(20).max(20_000).optional() }),
  z.object({ kind: z.literal('none') }),
]);
export type AudioSource = z.infer<typeof audioSourceSchema>;

/** A second picture over the video source (the camera over the screen), as a picture-in-picture. */
export const videoOverlaySchema = z
  .object({
    source: videoSourceSchema,
    position: z.enum(['bottom-right', 'bottom-left', 'top-right', 'top-left']).optional(),
    /** Overlay width as a fraction of the output width (default 0.33). */
    widthFraction: z.number().min(0.1).max(0.9).optional(),
  })
  .strict();
export type VideoOverlay = z.infer<typeof videoOverlaySchema>;

export const sourcesSchema = z.object({ video: videoSourceSchema, overlay: videoOverlaySchema.optional(), audio: audioSourceSchema });
export type Sources = z.infer<typeof sourcesSchema>;

// ------------------------------------------------------------------ encoder

/** `auto` = hardware first with software fallback; `software` = libx264; or an ffmpeg encoder name. */
export const encoderPreferenceSchema = z.string().regex(/^(auto|software|[a-z0-9_]{2,32})$/, 'auto, software or an ffmpeg encoder name');
export type EncoderPreference = z.infer<typeof encoderPreferenceSchema>;

/** Per-user overrides of the role preset (spec §2 presets stay the default). */
export const encoderOverridesSchema = encoderSettingsSchema.pick({ fps: true, videoBitrateKbps: true, gopSeconds: true }).partial().strict();
export type EncoderOverrides = z.infer<typeof encoderOverridesSchema>;

export const encoderChoiceSchema = z.object({ preference: encoderPreferenceSchema, overrides: encoderOverridesSchema.optional() }).strict();
export type EncoderChoice = z.infer<typeof encoderChoiceSchema>;

// ------------------------------------------------------------------ audio processing

/** getUserMedia constraints for the mic; all on by default (AEC is mandatory for link-mic). */
export const audioProcessingSchema = z
  .object({ echoCancellation: z.boolean(), noiseSuppression: z.boolean(), autoGainControl: z.boolean() })
  .strict();
export type AudioProcessing = z.infer<typeof audioProcessingSchema>;

// ------------------------------------------------------------------ server profile

const httpUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'an http:// or https:// base URL');

/** Which link-mic server the studio talks to. Secrets never come back out (`hasToken`). */
export const serverProfileInputSchema = z.discriminatedUnion('kind', [
  /** The embedded server, started by the studio on 127.0.0.1 (0 = any free port). */
  z.object({ kind: z.literal('embedded'), rtmpPort: port.optional(), httpPort: port.optional() }).strict(),
  /** A remote server (e.g. `linkmic-server` on a VPS): its HTTP base URL and this user's credentials. */
  z
    .object({
      kind: z.literal('remote'),
      httpUrl,
      userId: userIdSchema,
      /** The user's signal token (UserSig); omitted = keep the stored one. Stored encrypted. */
      token: z.string().min(1).max(512).optional(),
    })
    .strict(),
]);
export type ServerProfileInput = z.infer<typeof serverProfileInputSchema>;

// ------------------------------------------------------------------ room defaults

export const roomDefaultsSchema = z
  .object({
    allowLinkRequests: z.boolean(),
    /** Most linked guests at once (the link quota: 3 by default, never above 8). */
    guestLimit: guestLimitSchema,
    /** Layout template, and the server-side mix template (`t_id`) when `serverMix` is on. */
    templateId: mixTemplateIdSchema,
    /** Server-side mix for the audience (one stream, server CPU); off/absent = client-side mix. */
    serverMix: z.boolean().optional(),
  })
  .strict();
export type RoomDefaults = z.infer<typeof roomDefaultsSchema>;

// ------------------------------------------------------------------ engine

/** An obs-websocket address: ws:// or wss:// host[:port][/path]. */
export const obsUrlSchema = z
  .string()
  .max(2048)
  .regex(/^wss?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'a ws:// or wss:// address (OBS → Tools → WebSocket Server Settings)');

export const DEFAULT_OBS_URL = 'ws://127.0.0.1:4455';

/** Which engine pushes: the built-in ffmpeg engine, or the streamer's OBS Studio over obs-websocket. */
export const engineSettingsSchema = z
  .object({
    kind: z.enum(['ffmpeg', 'obs']),
    /** OBS's WebSocket server (the password is kept in the secret store). */
    obsUrl: obsUrlSchema,
  })
  .strict();
export type EngineSettings = z.infer<typeof engineSettingsSchema>;
export const DEFAULT_ENGINE_SETTINGS: EngineSettings = Object.freeze({ kind: 'ffmpeg', obsUrl: DEFAULT_OBS_URL });

// ------------------------------------------------------------------ settings

/** Everything the studio remembers between runs (secrets are kept apart, encrypted). */
export const studioSettingsSchema = z
  .object({
    locale: z.enum(LOCALES),
    /** This studio's identity on the link-mic server. */
    userId: userIdSchema,
    /** The stream code this studio pushes as big host (its room id). */
    streamCode: streamCodeSchema,
    sources: sourcesSchema,
    encoder: encoderChoiceSchema,
    audioProcessing: audioProcessingSchema,
    room: roomDefaultsSchema,
    server: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('embedded'), rtmpPort: port, httpPort: port }).strict(),
      z.object({ kind: z.literal('remote'), httpUrl, userId: userIdSchema }).strict(),
    ]),
    /** An ffmpeg chosen by the user; null = discover (bundled resources/ffmpeg, then PATH). */
    ffmpegPath: z.string().min(1).max(4096).nullable(),
    /** The push engine; absent = the built-in ffmpeg engine (settings from before OBS support). */
    engine: engineSettingsSchema.optional(),
    /** Recordings: the folder (null = the OS videos folder / LinkMic) and whether ISO recordings are on by default. */
    recording: z.object({ folder: z.string().min(1).max(4096).nullable(), iso: z.boolean() }).strict().optional(),
  })
  .strict();
export type StudioSettings = z.infer<typeof studioSettingsSchema>;

/** `updateSettings`: any top-level keys (each replaced whole); the server goes through `setServerProfile`. */
export const settingsPatchSchema = studioSettingsSchema.omit({ server: true }).partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

// ------------------------------------------------------------------ method inputs

export const noInputSchema = z.object({}).strict().optional();
/** `setEngine`: the engine, OBS's address and (optionally) its password; omitted password = keep the stored one, '' = forget it. */
export const setEngineInputSchema = z
  .object({ kind: z.enum(['ffmpeg', 'obs']), obsUrl: obsUrlSchema.optional(), obsPassword: z.string().max(512).optional() })
  .strict();
/** `testObsConnection`: an address and password to try; omitted = the saved ones. */
export const testObsConnectionInputSchema = z.object({ obsUrl: obsUrlSchema.optional(), obsPassword: z.string().max(512).optional() }).strict().optional();
export const roomIdInputSchema = z.object({ roomId: streamCodeSchema }).strict();
export const requestIdInputSchema = z.object({ requestId: entityId }).strict();
export const linkIdInputSchema = z.object({ linkId: entityId }).strict();
export const pkIdInputSchema = z.object({ pkId: entityId }).strict();

export const goLiveInputSchema = z
  .object({
    /** Push under another stream code than the one in settings. */
    streamCode: streamCodeSchema.optional(),
  })
  .strict()
  .optional();

/**
 * The audience's mix (spec §7): null = client-side mix (viewers lay the streams out following the
 * host's layout); `{ templateId }` = server-side mix, one composited stream (uses server CPU).
 */
export const serverMixInputSchema = z.object({ templateId: mixTemplateIdSchema }).strict().nullable();
export type ServerMixInput = z.infer<typeof serverMixInputSchema>;

export const openRoomInputSchema = z
  .object({
    streamCode: streamCodeSchema.optional(),
    allowLinkRequests: z.boolean().optional(),
    guestLimit: guestLimitSchema.optional(),
    /** Server-side mix template when the room uses one (default: settings `room.templateId`). */
    templateId: mixTemplateIdSchema.optional(),
    /** Omitted: settings `room.serverMix` (off = client-side mix). */
    serverMix: serverMixInputSchema.optional(),
  })
  .strict()
  .optional();

export const updateRoomInputSchema = z
  .object({
    allowLinkRequests: z.boolean().optional(),
    guestLimit: guestLimitSchema.optional(),
    /** Switch the audience mix; when live as big host the push restarts with the new URL. */
    serverMix: serverMixInputSchema.optional(),
  })
  .strict();

export const rejectLinkMicInputSchema = z.object({ requestId: entityId, reason: reason.optional() }).strict();
export const rejectPkInputSchema = z.object({ pkId: entityId, reason: reason.optional() }).strict();
/** `invitePk`: with `durationSec` a PK battle (60, 180, 300 or 600 s; a test server may add one short duration), without it an open-ended PK. */
export const invitePkInputSchema = z.object({ roomId: streamCodeSchema, durationSec: z.number().int().min(1).max(600).optional() }).strict();
/** `votePk` (audience mode): a like or a gift for one side (`roomId`) of a PK battle. */
export const votePkInputSchema = z.object({ pkId: entityId, roomId: streamCodeSchema, kind: battleVoteKindSchema }).strict();

export const setLayoutInputSchema = z.object({ layout: layoutSchema }).strict();

export const setCoHostAudioInputSchema = z
  .object({
    /** The co-host (linked guest, linked host, or PK peer) by user id. */
    userId: userIdSchema,
    muted: z.boolean().optional(),
    /** Playback gain, 0..1. */
    volume: z.number().min(0).max(1).optional(),
  })
  .strict();

export const setAudioProcessingInputSchema = audioProcessingSchema.partial().strict();

/** `startRecording`: iso = also record each co-host's / PK opponent's original stream to its own file. */
export const startRecordingInputSchema = z.object({ iso: z.boolean().optional() }).strict().optional();
/** `setRecordingFolder`: an absolute folder path (created when missing; must be writable). */
export const setRecordingFolderInputSchema = z.object({ folder: z.string().min(1).max(4096) }).strict();
