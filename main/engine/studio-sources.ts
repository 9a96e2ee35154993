// Maps the StudioApi contract's sources (common/studio-api) to the engine's richer source setup,
// and the engine's device list to the contract's SourceList.
import type { Sources } from '../../common/studio-api/inputs';
import type { SourceInfo, SourceList } from '../../common/studio-api/state';
import { PCM_AUDIO_FORMAT } from '../../common/studio-api/wire';
import type { DeviceList } from './device-lister';
import type { AudioSource, SourceSetup, VideoSource } from './sources';

export function fromStudioSources(sources: Sources): SourceSetup {
  let audio: AudioSource;
  switch (sources.audio.kind) {
    case 'renderer-mic':
      audio = { kind: 'pcm', format: PCM_AUDIO_FORMAT.sampleFormat };
      break;
    case 'test-tone':
      audio = sources.audio.frequencyHz === undefined ? { kind: 'tone' } : { kind: 'tone', frequency: sources.audio.frequencyHz };
      break;
    case 'none':
      audio = { kind: 'silence' };
      break;
  }
  const setup: SourceSetup = { video: fromStudioVideo(sources.video), audio };
  if (!sources.overlay) return setup;
  const overlay = sources.overlay;
  return { ...setup, overlay: { source: fromStudioVideo(overlay.source), position: overlay.position ?? 'bottom-right', widthFraction: overlay.widthFraction ?? 0.33 } };
}

function fromStudioVideo(source: Sources['video']): VideoSource {
  switch (source.kind) {
    case 'test-pattern':
      return { kind: 'testPattern' };
    case 'camera':
      return { kind: 'camera', device: source.deviceId };
    case 'screen':
      return source.displayId === undefined ? { kind: 'screen' } : { kind: 'screen', display: source.displayId };
    case 'file':
      return { kind: 'file', path: source.path };
  }
}

export function toSourceList(devices: DeviceList): SourceList {
  const video: SourceInfo[] = [
    { kind: 'test-pattern', label: 'Test pattern' },
    ...devices.screens.map((d): SourceInfo => ({ kind: 'screen', id: d.id, label: d.label })),
    ...devices.cameras.map((d): SourceInfo => ({ kind: 'camera', id: d.id, label: d.label })),
    { kind: 'file', label: 'Media file' },
  ];
  const audio: SourceInfo[] = [
    { kind: 'renderer-mic', label: 'Microphone (echo-cancelled)' },
    { kind: 'test-tone', label: 'Test tone' },
    { kind: 'none', label: 'No sound' },
  ];
  return { video, audio };
}
