// The one list of StudioApi method and event names, with no dependencies, so the preload (which
// must stay tiny in the sandbox) and both bridges are generated from it. methods.ts and events.ts
// check at compile time that their records match these lists exactly.
/** The link-mic half: rooms, link-mic requests, PK, layout and co-host audio (main/core/link-mic-actions.ts). */
export const LINK_MIC_METHODS = [
  'openRoom',
  'updateRoom',
  'closeRoom',
  'joinRoom',
  'leaveRoom',
  'requestLinkMic',
  'cancelLinkMic',
  'acceptLinkMic',
  'rejectLinkMic',
  'kickCoHost',
  'hangUp',
  'invitePk',
  'cancelPkInvite',
  'acceptPk',
  'rejectPk',
  'endPk',
  'votePk',
  'rematchPk',
  'setLayout',
  'setCoHostAudio',
] as const;

export const STUDIO_METHODS = [
  'getState',
  'getSettings',
  'updateSettings',
  'setAudioProcessing',
  'listSources',
  'setSources',
  'probeEncoders',
  'setEncoder',
  'getServerProfile',
  'setServerProfile',
  'setEngine',
  'testObsConnection',
  'goLive',
  'stopLive',
  ...LINK_MIC_METHODS,
  'startRecording',
  'stopRecording',
  'setRecordingFolder',
] as const;

export type StudioMethodName = (typeof STUDIO_METHODS)[number];
export type LinkMicMethodName = (typeof LINK_MIC_METHODS)[number];

export const STUDIO_EVENTS = [
  'state',
  'stats',
  'push',
  'linkRequest',
  'linkRequestEnded',
  'linkStarted',
  'linkEnded',
  'pkInvite',
  'pkInviteEnded',
  'pkStarted',
  'pkEnded',
  'pkBattle',
  'layout',
  'settings',
  'error',
] as const;

export type StudioEventName = (typeof STUDIO_EVENTS)[number];

export function isStudioMethodName(value: unknown): value is StudioMethodName {
  return typeof value === 'string' && (STUDIO_METHODS as readonly string[]).includes(value);
}

export function isStudioEventName(value: unknown): value is StudioEventName {
  return typeof value === 'string' && (STUDIO_EVENTS as readonly string[]).includes(value);
}
