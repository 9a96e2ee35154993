// Co-host playout stays on an output that exists: fallback to the default when the chosen one
// disappears, back when it returns, and a word when the system default changes.
import { describe, expect, it } from 'vitest';
import { AudioOutputFollower, type AudioOutputFollowerEvents } from '../audio/audio-output-follower';

class FakeDevices {
  outputs: { deviceId: string; label: string; groupId: string }[] = [
    { deviceId: 'default', label: 'Default', groupId: 'g-speakers' },
    { deviceId: 'speakers', label: 'Speakers', groupId: 'g-speakers' },
    { deviceId: 'headset', label: 'USB Headset', groupId: 'g-headset' },
  ];
  listeners = new Set<() => void>();
  async enumerateDevices(): Promise<MediaDeviceInfo[]> {
    return this.outputs.map((d) => ({ ...d, kind: 'audiooutput', toJSON: () => d }) as MediaDeviceInfo);
  }
  addEventListener(_type: string, listener: () => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: string, listener: () => void): void {
    this.listeners.delete(listener);
  }
}

function follow(devices: FakeDevices, chosen: string | null) {
  const follower = new AudioOutputFollower(devices as unknown as MediaDevices, chosen, 0);
  const seen: AudioOutputFollowerEvents['sink'][] = [];
  follower.events.on('sink', (e) => seen.push(e));
  return { follower, seen };
}

describe('AudioOutputFollower', () => {
  it('plays on the chosen output while it exists, falls back to the default when it is unplugged, and returns to it', async () => {
    const devices = new FakeDevices();
    const { follower, seen } = follow(devices, 'headset');
    expect(await follower.check()).toBe('headset');
    devices.outputs = devices.outputs.filter((d) => d.deviceId !== 'headset');
    expect(await follower.check()).toBe('');
    expect(seen.at(-1)).toEqual({ sinkId: '', change: { kind: 'fallback', fromDeviceId: 'headset', fromLabel: 'USB Headset' } });
    devices.outputs.push({ deviceId: 'headset', label: 'USB Headset', groupId: 'g-headset' });
    expect(await follower.check()).toBe('headset');
    expect(seen.at(-1)?.change.kind).toBe('restored');
    follower.close();
    expect(devices.listeners.size).toBe(0);
  });

  it('says so at once when the chosen output is missing from the start', async () => {
    const devices = new FakeDevices();
    const { follower, seen } = follow(devices, 'bluetooth');
    expect(await follower.check()).toBe('');
    expect(seen.map((e) => e.change.kind)).toEqual(['fallback']);
    follower.close();
  });

  it('on the default output, reports a change of the system default and stays on the default', async () => {
    const devices = new FakeDevices();
    const { follower, seen } = follow(devices, null);
    expect(await follower.check()).toBe('');
    expect(seen).toEqual([]);
    devices.outputs[0] = { deviceId: 'default', label: 'Default - USB Headset', groupId: 'g-headset' };
    expect(await follower.check()).toBe('');
    expect(seen).toEqual([{ sinkId: '', change: { kind: 'default-changed', label: 'Default - USB Headset' } }]);
    follower.close();
  });
});
