// Keeps co-host playout on an output that exists. Chromium's echo canceller only hears what is
// played on the default output (a `setSinkId` to another device measured 0.4 dB ERLE: see
// shared/design/aec-notes.md), so link-mic playout should stay on the default; when a streamer
// did choose another output and it disappears (headset unplugged), this falls back to the default
// and says so, and goes back when it returns. Consumers apply `sinkId` ('' = default) with
// `AudioContext.setSinkId` / `HTMLMediaElement.setSinkId`.
import { TypedEmitter } from '../../common/typed-emitter';

export type AudioOutputChange =
  | { readonly kind: 'fallback'; readonly fromDeviceId: string; readonly fromLabel: string }
  | { readonly kind: 'restored'; readonly deviceId: string; readonly label: string }
  /** The system default output changed (playout on the default follows it by itself). */
  | { readonly kind: 'default-changed'; readonly label: string };

export interface AudioOutputFollowerEvents extends Record<string, unknown> {
  /** The sink id to play on now ('' = default). */
  sink: { readonly sinkId: string; readonly change: AudioOutputChange };
}

type DeviceSource = Pick<MediaDevices, 'enumerateDevices' | 'addEventListener' | 'removeEventListener'>;

export class AudioOutputFollower {
  readonly events = new TypedEmitter<AudioOutputFollowerEvents>((error, event) => console.error(`output follower listener for ${event} threw`, error));
  private chosen: { deviceId: string; label: string } | null;
  private sinkIdValue = '';
  private defaultKey = '';
  private timer: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  private first = true;
  private checking: Promise<void> = Promise.resolve();
  private readonly onChange = (): void => {
    void this.check();
  };

  /** `chosenDeviceId`: the streamer's output ('' or null = default). `pollMs`: see MicCapture's devicePollMs. */
  constructor(
    private readonly mediaDevices: DeviceSource,
    chosenDeviceId: string | null,
    pollMs = 1500,
  ) {
    this.chosen = chosenDeviceId ? { deviceId: chosenDeviceId, label: '' } : null;
    mediaDevices.addEventListener('devicechange', this.onChange);
    if (pollMs > 0) this.timer = setInterval(this.onChange, pollMs);
  }

  /** Where to play now ('' = the default output). Valid after the first `check()`. */
  get sinkId(): string {
    return this.sinkIdValue;
  }

  /** Re-reads the outputs (also run on `devicechange` and by the poll); resolves with the sink id. */
  check(): Promise<string> {
    const run = this.checking.then(() => this.doCheck());
    this.checking = run.catch(() => undefined);
    return run.then(() => this.sinkIdValue);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.mediaDevices.removeEventListener('devicechange', this.onChange);
    this.events.removeAllListeners();
  }

  private async doCheck(): Promise<void> {
    if (this.closed) return;
    const outputs = (await this.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audiooutput');
    const systemDefault = outputs.find((d) => d.deviceId === 'default');
    const defaultKey = systemDefault ? `${systemDefault.groupId}|${systemDefault.label}` : '';
    const defaultChanged = this.defaultKey !== '' && defaultKey !== this.defaultKey;
    this.defaultKey = defaultKey;
    const first = this.first;
    this.first = false;
    const chosen = this.chosen;
    const present = chosen ? outputs.find((d) => d.deviceId === chosen.deviceId) : undefined;
    if (chosen && present) chosen.label = present.label;
    const target = present ? present.deviceId : '';
    const previous = this.sinkIdValue;
    this.sinkIdValue = target;
    if (chosen && !present && (first || previous !== '')) {
      this.events.emit('sink', { sinkId: '', change: { kind: 'fallback', fromDeviceId: chosen.deviceId, fromLabel: chosen.label } });
    } else if (chosen && present && !first && previous !== target) {
      this.events.emit('sink', { sinkId: target, change: { kind: 'restored', deviceId: target, label: present.label } });
    } else if (target === '' && defaultChanged) {
      this.events.emit('sink', { sinkId: '', change: { kind: 'default-changed', label: systemDefault?.label ?? '' } });
    }
  }
}
