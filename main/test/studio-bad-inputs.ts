// One bad input per StudioApi method and the field its validation error must name. Shared by the
// contract test and the host round-trip tests (IPC pair and WebSocket bridge).
import type { StudioMethodName } from '../../common/studio-api';

export const BAD_INPUTS: Record<StudioMethodName, { input: unknown; field: string }> = {
  getState: { input: { verbose: true }, field: 'verbose' },
  getSettings: { input: 'all', field: 'input' },
  updateSettings: { input: { streamCode: 'bad code!' }, field: 'streamCode' },
  setAudioProcessing: { input: { echoCancellation: 'yes' }, field: 'echoCancellation' },
  listSources: { input: { kind: 'camera' }, field: 'kind' },
  setSources: { input: { video: { kind: 'test-pattern' }, audio: { kind: 'microphone' } }, field: 'audio.kind' },
  probeEncoders: { input: 42, field: 'input' },
  setEncoder: { input: { preference: 'auto', overrides: { fps: 0 } }, field: 'overrides.fps' },
  getServerProfile: { input: [], field: 'input' },
  setServerProfile: { input: { kind: 'remote', httpUrl: 'ftp://example.com', userId: 'alice' }, field: 'httpUrl' },
  goLive: { input: { streamCode: '' }, field: 'streamCode' },
  stopLive: { input: { now: true }, field: 'now' },
  openRoom: { input: { guestLimit: 9 }, field: 'guestLimit' },
  updateRoom: { input: { allowLinkRequests: 1 }, field: 'allowLinkRequests' },
  closeRoom: { input: null, field: 'input' },
  joinRoom: { input: {}, field: 'roomId' },
  leaveRoom: { input: { roomId: 'a/b' }, field: 'roomId' },
  requestLinkMic: { input: { roomId: 7 }, field: 'roomId' },
  cancelLinkMic: { input: { requestId: '' }, field: 'requestId' },
  acceptLinkMic: { input: { requestId: 'x'.repeat(65) }, field: 'requestId' },
  rejectLinkMic: { input: { requestId: 'r1', reason: 'x'.repeat(201) }, field: 'reason' },
  kickCoHost: { input: { link: 'l1' }, field: 'linkId' },
  hangUp: { input: undefined, field: 'input' },
  invitePk: { input: { roomId: '' }, field: 'roomId' },
  cancelPkInvite: { input: { pkId: 5 }, field: 'pkId' },
  acceptPk: { input: 'pk1', field: 'input' },
  rejectPk: { input: { pkId: 'p1', reason: 3 }, field: 'reason' },
  endPk: { input: {}, field: 'pkId' },
  setLayout: {
    input: { layout: { templateId: 1, participants: [{ userId: 'host', streamCode: 'host', rect: { x: 0, y: 0, w: 1.5, h: 1 }, z: 0 }] } },
    field: 'layout.participants.0.rect.w',
  },
  setCoHostAudio: { input: { userId: 'guest', volume: 2 }, field: 'volume' },
};
