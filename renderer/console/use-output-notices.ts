// Co-hosts play on the system default output: Chromium's echo canceller only hears what is
// played there (aec-notes: another sink gets no echo cancellation), so the studio follows the
// default rather than pinning a device. When the default output changes (headset plugged in or
// out), the streamer is told where co-hosts are now heard.
import { useEffect, useRef } from 'react';
import { AudioOutputFollower } from '../audio';
import { useI18n } from './i18n-context';
import { useNotices } from './notices';

export function useOutputNotices(): void {
  const i18n = useI18n();
  const { push } = useNotices();
  const i18nRef = useRef(i18n);
  i18nRef.current = i18n;
  useEffect(() => {
    const devices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
    if (!devices) return;
    const follower = new AudioOutputFollower(devices, null);
    follower.events.on('sink', ({ change }) => {
      if (change.kind !== 'default-changed') return;
      const label = change.label || i18nRef.current.t('console.output.unnamed');
      push('info', i18nRef.current.t('console.output.defaultChanged', { device: label }));
    });
    void follower.check().catch(() => undefined);
    return () => follower.close();
  }, [push]);
}
