// The StudioApi methods: one record, name → input schema + doc, checked against the name list in
// names.ts; the preload, the IPC host, the web bridge and the renderer client are all
// generated from / checked against this list, so they cannot drift.
import type { z } from 'zod';
import type { Layout } from '../layout';
import {
  encoderChoiceSchema,
  goLiveInputSchema,
  invitePkInputSchema,
  linkIdInputSchema,
  noInputSchema,
  openRoomInputSchema,
  pkIdInputSchema,
  rejectLinkMicInputSchema,
  rejectPkInputSchema,
  requestIdInputSchema,
  roomIdInputSchema,
  serverProfileInputSchema,
  setEngineInputSchema,
  testObsConnectionInputSchema,
  setAudioProcessingInputSchema,
  startRecordingInputSchema,
  setRecordingFolderInputSchema,
  setCoHostAudioInputSchema,
  setLayoutInputSchema,
  settingsPatchSchema,
  sourcesSchema,
  updateRoomInputSchema,
  votePkInputSchema,
  type AudioProcessing,
  type EncoderChoice,
  type Sources,
  type StudioSettings,
} from './inputs';
import type { StudioMethodName } from './names';
import type { EncoderInfo, EngineView, LinkView, LiveState, ObsDescription, PkView, RecordingState, RoomView, ServerState, SourceList, StudioState } from './state';

export const STUDIO_METHOD_INPUTS = {
  // state and settings
  getState: { input: noInputSchema, doc: 'The whole state snapshot.' },
  getSettings: { input: noInputSchema, doc: 'The persisted settings (no secrets).' },
  updateSettings: { input: settingsPatchSchema, doc: 'Replace some top-level settings; persisted at once.' },
  setAudioProcessing: { input: setAudioProcessingInputSchema, doc: 'Mic getUserMedia flags (echoCancellation, noiseSuppression, autoGainControl).' },
  // sources and encoder
  listSources: { input: noInputSchema, doc: 'Video and audio sources available on this machine.' },
  setSources: { input: sourcesSchema, doc: 'Choose the video and audio source; when live, the push restarts with them (a second or two of reconnect).' },
  probeEncoders: { input: noInputSchema, doc: 'Probe the H.264 encoders (hardware first) and return what works.' },
  setEncoder: { input: encoderChoiceSchema, doc: 'Encoder preference (auto = hardware first, software fallback) and overrides; when live, the push restarts with them.' },
  // server
  getServerProfile: { input: noInputSchema, doc: 'The server in use: embedded (127.0.0.1) or remote; no secrets.' },
  setServerProfile: { input: serverProfileInputSchema, doc: 'Switch between the embedded server and a remote one (URL + credentials); reconnects.' },
  // engine
  setEngine: { input: setEngineInputSchema, doc: 'Push with the built-in ffmpeg engine or with OBS Studio (obs-websocket URL; password kept in the secret store). Applies at the next go-live.' },
  testObsConnection: { input: testObsConnectionInputSchema, doc: "Connect to OBS and return its version, the obs-websocket version and the scenes (OBS_NOT_RUNNING / OBS_AUTH_FAILED / OBS_WEBSOCKET_TOO_OLD otherwise)." },
  // live
  goLive: { input: goLiveInputSchema, doc: 'Open our room if needed and push as big host.' },
  stopLive: { input: noInputSchema, doc: 'Stop pushing (the room stays open).' },
  // room
  openRoom: { input: openRoomInputSchema, doc: 'Open (or re-open) our room on the server (client-side mix unless serverMix); returns it.' },
  updateRoom: { input: updateRoomInputSchema, doc: 'Change our room’s link-mic settings or audience mix (serverMix); when live, a mix change restarts the push with the new URL.' },
  closeRoom: { input: noInputSchema, doc: 'Close our room: its links and PK end.' },
  joinRoom: { input: roomIdInputSchema, doc: 'Join another room as a viewer (before requesting link-mic).' },
  leaveRoom: { input: roomIdInputSchema, doc: 'Leave a joined room.' },
  // link-mic (连麦)
  requestLinkMic: { input: roomIdInputSchema, doc: 'Ask a room’s host to link; joins the room when needed.' },
  cancelLinkMic: { input: requestIdInputSchema, doc: 'Withdraw our pending request.' },
  acceptLinkMic: { input: requestIdInputSchema, doc: 'Host: accept a request; the guest starts pushing as small host.' },
  rejectLinkMic: { input: rejectLinkMicInputSchema, doc: 'Host: reject a request.' },
  kickCoHost: { input: linkIdInputSchema, doc: 'Host: end a guest’s link.' },
  hangUp: { input: linkIdInputSchema, doc: 'Either side: end a link.' },
  // cross-room PK
  invitePk: { input: invitePkInputSchema, doc: 'Invite the host of another live room to a PK; with durationSec a PK battle (clock and scores owned by the server).' },
  cancelPkInvite: { input: pkIdInputSchema, doc: 'Withdraw our PK invite.' },
  acceptPk: { input: pkIdInputSchema, doc: 'Accept a PK invite.' },
  rejectPk: { input: rejectPkInputSchema, doc: 'Reject a PK invite.' },
  endPk: { input: pkIdInputSchema, doc: 'End the PK.' },
  votePk: { input: votePkInputSchema, doc: 'Audience mode: send a like or a gift to one side of a PK battle of a joined room (RATE_LIMITED when too fast).' },
  rematchPk: { input: pkIdInputSchema, doc: 'Ask for a rematch in the result phase of our PK battle; a new round starts when both hosts asked.' },
  // layout and co-host audio
  setLayout: { input: setLayoutInputSchema, doc: 'Publish our room’s layout (audiences’ client-side mix).' },
  setCoHostAudio: { input: setCoHostAudioInputSchema, doc: 'Mute or set the playback volume of a co-host (local playback).' },
  // recording
  startRecording: { input: startRecordingInputSchema, doc: 'Record the program (what reached the origin) to a fragmented MP4; iso: also each co-host / PK opponent to its own file. RECORDING_NOT_LIVE / RECORDING_DISK_FULL / RECORDING_FOLDER_UNWRITABLE.' },
  stopRecording: { input: noInputSchema, doc: 'Stop recording; the files are complete.' },
  setRecordingFolder: { input: setRecordingFolderInputSchema, doc: 'Choose the recording folder (absolute; created when missing; must be writable).' },
} as const;

// Compile-time check: the record has exactly the names of the list (names.ts).
type MissingInput = Exclude<StudioMethodName, keyof typeof STUDIO_METHOD_INPUTS>;
type ExtraInput = Exclude<keyof typeof STUDIO_METHOD_INPUTS, StudioMethodName>;
const _inputsMatch: [MissingInput, ExtraInput] extends [never, never] ? true : [MissingInput, ExtraInput] = true;
void _inputsMatch;

/** What each method resolves with. */
export interface StudioMethodOutputs {
  getState: StudioState;
  getSettings: StudioSettings;
  updateSettings: StudioSettings;
  setAudioProcessing: AudioProcessing;
  listSources: SourceList;
  setSources: Sources;
  probeEncoders: { readonly encoders: readonly EncoderInfo[]; readonly selected: string | null };
  setEncoder: EncoderChoice;
  getServerProfile: ServerState;
  setServerProfile: ServerState;
  setEngine: EngineView;
  testObsConnection: ObsDescription;
  goLive: LiveState;
  stopLive: LiveState;
  openRoom: RoomView;
  updateRoom: RoomView;
  closeRoom: null;
  joinRoom: RoomView;
  leaveRoom: null;
  requestLinkMic: { readonly requestId: string; readonly expiresAt: number };
  cancelLinkMic: null;
  acceptLinkMic: LinkView;
  rejectLinkMic: null;
  kickCoHost: null;
  hangUp: null;
  invitePk: { readonly pkId: string; readonly expiresAt: number };
  cancelPkInvite: null;
  acceptPk: PkView;
  rejectPk: null;
  endPk: null;
  votePk: { readonly points: number };
  rematchPk: { readonly rematch: readonly string[] };
  setLayout: Layout;
  setCoHostAudio: { readonly userId: string; readonly muted: boolean; readonly volume: number };
  startRecording: RecordingState;
  stopRecording: RecordingState;
  setRecordingFolder: RecordingState;
}

// Compile-time check: every method has an output type and every output a method.
type MissingOutput = Exclude<StudioMethodName, keyof StudioMethodOutputs>;
type ExtraOutput = Exclude<keyof StudioMethodOutputs, StudioMethodName>;
const _outputsMatch: [MissingOutput, ExtraOutput] extends [never, never] ? true : [MissingOutput, ExtraOutput] = true;
void _outputsMatch;

/** The input a caller passes (before defaults). */
export type StudioInput<K extends StudioMethodName> = z.input<(typeof STUDIO_METHOD_INPUTS)[K]['input']>;
/** The input after validation (what StudioCore receives). */
export type StudioParsedInput<K extends StudioMethodName> = z.output<(typeof STUDIO_METHOD_INPUTS)[K]['input']>;
export type StudioOutput<K extends StudioMethodName> = StudioMethodOutputs[K];

/** Methods whose input may be omitted take an optional argument. */
export type StudioArgs<K extends StudioMethodName> = undefined extends StudioInput<K> ? [input?: StudioInput<K>] : [input: StudioInput<K>];

