// The status bar (as in OBS): live state, encoder, fps, bitrate, dropped frames, reconnects, mic;
// with the OBS engine its output's skipped / total frames (instead of dropped frames), the bytes it
// sent, OBS's congestion and CPU use.
import { useEffect, useRef, useState } from 'react';
import { useI18n } from './i18n-context';
import type { MicStatus } from './mic-bridge';
import type { MicDeviceChange } from '../audio';
import type { MessageKey } from '../../common/i18n';
import { useStudio } from './studio-session';

export function StatusBar({ mic }: { mic: MicStatus }) {
  const { state, stats } = useStudio();
  const { t, number } = useI18n();
  const flagText = (flag: boolean | 'unknown'): string => (flag === 'unknown' ? t('console.mic.flagUnknown') : flag ? t('console.mic.aecOn') : t('console.mic.aecOff'));
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
      {showing && stats.bytesSent !== undefined ? (
        <>
          <span data-testid="stats-obs-frames">
            {t('console.stats.skipped')}: {t('console.stats.framesOf', { skipped: stats.droppedFrames, total: stats.frames })}
          </span>
          <span data-testid="stats-sent">
            {t('console.stats.sent')}: {t('console.stats.megabytes', { value: Math.round(stats.bytesSent / 100_000) / 10 })}
          </span>
        </>
      ) : (
        <span data-testid="stats-dropped">
          {t('console.stats.dropped')}: {showing ? number(stats.droppedFrames) : dash}
        </span>
      )}
      {showing && stats.congestion !== undefined ? (
        <span data-testid="stats-congestion">
          {t('console.stats.congestion')}: {number(stats.congestion, { style: 'percent', maximumFractionDigits: 0 })}
        </span>
      ) : null}
      {showing && stats.cpuPercent !== undefined ? (
        <span data-testid="stats-obs-cpu">
          {t('console.stats.obsCpu')}: {number(stats.cpuPercent / 100, { style: 'percent', maximumFractionDigits: 0 })}
        </span>
      ) : null}
      <span data-testid="stats-reconnects">
        {t('console.stats.reconnects')}: {number(reconnects)}
      </span>
      {live.encoder ? <span>{t('console.encoder.inUse', { name: live.encoder })}</span> : null}
      {mic.capturing ? (
        <span data-testid="mic-processing" title={mic.deviceLabel ?? undefined}>
          {t('console.mic.active', {
            aec: flagText(mic.active.echoCancellation),
            ns: flagText(mic.active.noiseSuppression),
            agc: flagText(mic.active.autoGainControl),
          })}
        </span>
      ) : null}
      {mic.capturing && mic.mismatched.length > 0 ? <span className="error-text">{t('console.mic.mismatched')}</span> : null}
      {mic.capturing && mic.deviceChange && DEVICE_NOTICES[mic.deviceChange] ? (
        <span data-testid="mic-device-notice">{t(DEVICE_NOTICES[mic.deviceChange]!)}</span>
      ) : null}
      {mic.error ? <span className="error-text">{mic.error}</span> : null}
    </footer>
  );
}

/** Device changes worth a notice in the status bar. */
const DEVICE_NOTICES: Partial<Record<MicDeviceChange['kind'], MessageKey>> = {
  lost: 'console.mic.deviceLost',
  fallback: 'console.mic.deviceFallback',
  'followed-default': 'console.mic.deviceFollowedDefault',
  recovered: 'console.mic.deviceRecovered',
};
