// The settings a first run starts with: the big-host preset, test pattern + the renderer's
// echo-cancelled mic, every audio-processing flag on, the embedded server on ephemeral ports.
import { randomBytes } from 'node:crypto';
import type { StudioSettings } from '../../common/studio-api';
import { LAYOUT_TEMPLATES } from '../../common/layout';
import { DEFAULT_LINK_QUOTA } from '../../common/link-quota';

export function defaultSettings(random: () => string = () => randomBytes(4).toString('hex')): StudioSettings {
  const suffix = random();
  return {
    locale: 'en',
    userId: `host-${suffix}`,
    streamCode: `live_${suffix}`,
    sources: { video: { kind: 'test-pattern' }, audio: { kind: 'renderer-mic' } },
    encoder: { preference: 'auto' },
    audioProcessing: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    room: { allowLinkRequests: true, guestLimit: DEFAULT_LINK_QUOTA, templateId: LAYOUT_TEMPLATES.PIP_BOTTOM_RIGHT },
    server: { kind: 'embedded', rtmpPort: 0, httpPort: 0 },
    ffmpegPath: null,
  };
}
