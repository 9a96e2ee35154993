// The stage column: the program monitor (our picture, linked guests and the PK opponent, each a
// low-latency 200 ms player with live latency / buffer / fps, in the room's layout) and, for each
// co-host, mute, volume and (guests) kick. It stays mounted whatever screen is open, so the
// conversation never stops (while the layout editor is open the monitor's players move there).
import type { CoHostAudio } from '../../common/studio-api';
import { useI18n } from './i18n-context';
import { useAction } from './notices';
import { MonitorSlot } from './program-monitor';
import { useStudio } from './studio-session';

export function Stage() {
  const { state } = useStudio();
  const { t } = useI18n();
  const guests = state.links.filter((l) => l.role === 'host');
  const pk = state.pk;
  return (
    <aside className="stage" aria-labelledby="stage-title" data-testid="stage">
      <h2 id="stage-title">{t('console.stage.title')}</h2>
      <MonitorSlot active={state.room !== null} priority={0} fallback={<p className="muted" data-testid="monitor-in-editor">{t('console.monitor.inEditor')}</p>} />
      {pk ? <CoHostTile kind="pk" userId={pk.peer.userId} subtitle={pk.peer.roomId} audio={pk.audio} /> : null}
      {guests.map((link) => (
        <CoHostTile key={link.linkId} kind="guest" userId={link.peer.userId} subtitle={link.peer.streamCode} audio={link.audio} linkId={link.linkId} />
      ))}
      {!pk && guests.length === 0 ? <p className="muted">{t('console.stage.empty')}</p> : null}
    </aside>
  );
}

interface CoHostTileProps {
  readonly kind: 'guest' | 'pk';
  readonly userId: string;
  readonly subtitle: string;
  readonly audio: CoHostAudio;
  readonly linkId?: string;
}

function CoHostTile({ kind, userId, subtitle, audio, linkId }: CoHostTileProps) {
  const { api } = useStudio();
  const { t } = useI18n();
  const run = useAction();
  const testId = `cohost-${userId}`;
  return (
    <article className={`cohost cohost-${kind}`} data-testid={testId} aria-label={userId}>
      <header className="cohost-head">
        <strong>{userId}</strong>
        <span className="muted">{kind === 'pk' ? 'PK' : ''} {subtitle}</span>
      </header>
      <div className="cohost-controls">
        <button type="button" aria-pressed={audio.muted} onClick={() => void run(() => api.setCoHostAudio({ userId, muted: !audio.muted }))} data-testid={`${testId}-mute`}>
          {audio.muted ? t('console.link.unmute') : t('console.link.mute')}
        </button>
        <label className="volume">
          <span className="sr-only">{t('console.link.volume')}</span>
          <input
            type="range"
            min={0}
            max={100}
            step={5}
            value={Math.round(audio.volume * 100)}
            aria-label={`${t('console.link.volume')} ${userId}`}
            onChange={(e) => void run(() => api.setCoHostAudio({ userId, volume: Number(e.target.value) / 100 }))}
            data-testid={`${testId}-volume`}
          />
        </label>
        {linkId ? (
          <button type="button" className="btn-danger" onClick={() => void run(() => api.kickCoHost({ linkId }))} data-testid={`${testId}-kick`}>
            {t('console.link.kick')}
          </button>
        ) : null}
      </div>
    </article>
  );
}
