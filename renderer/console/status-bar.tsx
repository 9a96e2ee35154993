// The status bar (as in OBS): live state, encoder, fps, bitrate, dropped frames, reconnects, mic.
import { useEffect, useRef, useState } from 'react';
import { useI18n } from './i18n-context';
import type { MicStatus } from './mic-bridge';
import { useStudio } from './studio-session';

export function StatusBar({ mic }: { mic: MicStatus }) {
  const { state, stats } = useStudio();
  const { t, number } = useI18n();
  const live = state.live;
  const showing = live.status !== 'offline' && stats !== null;
  const dash = t('console.stats.none');
  // Reconnects since the console opened (the state carries only the attempt in progress).
  const [reconnects, setReconnects] = useState(0);
  const previous = useRef(live.status);
  useEffect(() => {
    if (live.status === 'reconnecting' && previous.current !== 'reconnecting') setReconnects((n) => n + 1);
    previous.current = live.status;
  }, [live.status]);
  return (
    <footer className="statusbar" aria-label={t('console.stats.title')} data-testid="stats">
      <span data-testid="stats-fps">
        {t('console.stats.fps')}: {showing ? number(stats.fps, { maximumFractionDigits: 0 }) : dash}
      </span>
      <span data-testid="stats-bitrate">
        {t('console.stats.bitrate')}: {showing ? t('console.stats.kbps', { value: Math.round(stats.bitrateKbps) }) : dash}
      </span>
      <span data-testid="stats-dropped">
        {t('console.stats.dropped')}: {showing ? number(stats.droppedFrames) : dash}
      </span>
      <span data-testid="stats-reconnects">
        {t('console.stats.reconnects')}: {number(reconnects)}
      </span>
      {live.encoder ? <span>{t('console.encoder.inUse', { name: live.encoder })}</span> : null}
      {mic.capturing ? <span>{t('console.mic.on', { aec: mic.echoCancellation === true ? t('console.mic.aecOn') : t('console.mic.aecOff') })}</span> : null}
      {mic.error ? <span className="error-text">{mic.error}</span> : null}
    </footer>
  );
}
