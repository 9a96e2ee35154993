// Audience mode: watch a room as a client-side mix of 1 s players laid out by the host's layout,
// ask to link, and — once the host accepts — go on stage without restarting: the studio starts
// pushing as small host and the host's picture switches to the 200 ms low-latency URL.
import { useEffect, useState, type FormEvent } from 'react';
import { LinkMicError } from '../../common/errors';
import type { Layout, LayoutParticipant } from '../../common/layout';
import type { LinkView, RoomView } from '../../common/studio-api';
import { useI18n } from './i18n-context';
import { useAction, useNotices } from './notices';
import { WatchedBattle } from './pk-battle';
import { PlayerView } from './player-view';
import { useStudio } from './studio-session';
import { secondsLeft } from './studio-views';
import { useNow } from './use-now';

interface Watching {
  readonly roomId: string;
  readonly streamCode: string;
  readonly layout: Layout | null;
  readonly audienceUrls: Readonly<Record<string, string>>;
  readonly guestLimit: number;
}

export function AudiencePanel() {
  const { api, state, settings } = useStudio();
  const { t } = useI18n();
  const run = useAction();
  const { push } = useNotices();
  const [roomId, setRoomId] = useState('');
  const [watching, setWatching] = useState<Watching | null>(null);

  useEffect(() => {
    if (!watching) return;
    return api.on('layout', (event) => {
      if (event.roomId !== watching.roomId) return;
      setWatching((current) => (current && current.roomId === event.roomId ? { ...current, layout: event.layout, audienceUrls: { ...current.audienceUrls, ...event.audienceUrls } } : current));
    });
  }, [api, watching?.roomId]);

  const join = (event: FormEvent) => {
    event.preventDefault();
    const target = roomId.trim();
    if (!target) return;
    void run(async () => {
      const room: RoomView = await api.joinRoom({ roomId: target });
      setWatching({ roomId: room.roomId, streamCode: room.streamCode, layout: room.layout, audienceUrls: room.audienceUrls, guestLimit: room.guestLimit });
    });
  };
  const leave = () => {
    if (!watching) return;
    const id = watching.roomId;
    setWatching(null);
    void run(() => api.leaveRoom({ roomId: id }));
  };

  const requestLink = (target: Watching) =>
    void run(async () => {
      try {
        await api.requestLinkMic({ roomId: target.roomId });
      } catch (error) {
        // The refusal names the quota (spec §5): say how many co-hosts the host already has.
        if (!(error instanceof LinkMicError) || error.code !== 'GUEST_LIMIT_REACHED') throw error;
        push('error', t('console.notice.quotaFull', { limit: target.guestLimit }), error.code);
      }
    });

  const guestLink = watching ? (state.links.find((l) => l.role === 'guest' && l.roomId === watching.roomId) ?? null) : null;
  const request = watching ? state.linkRequests.find((r) => r.direction === 'outgoing' && r.roomId === watching.roomId) : undefined;
  const now = useNow(request !== undefined);

  return (
    <div className="audience">
      <section className="card" aria-labelledby="audience-title">
        <h2 id="audience-title">{t('console.nav.audience')}</h2>
        {watching ? (
          <div className="inline-form">
            <p data-testid="audience-watching" data-room={watching.roomId}>
              {t('console.audience.watching', { room: watching.roomId })}
            </p>
            <button type="button" onClick={leave} data-testid="audience-leave">
              {t('console.audience.leave')}
            </button>
          </div>
        ) : (
          <form className="inline-form" onSubmit={join}>
            <label htmlFor="audience-room">{t('console.audience.roomId')}</label>
            <input id="audience-room" value={roomId} onChange={(e) => setRoomId(e.target.value)} data-testid="audience-room-id" />
            <button type="submit" className="btn-primary" disabled={roomId.trim() === ''} data-testid="audience-join">
              {t('console.audience.join')}
            </button>
          </form>
        )}
        {watching && guestLink ? (
          <div className="on-stage" data-testid="audience-linked" role="status">
            <span>{t('console.audience.linked')}</span>
            <button type="button" onClick={() => void run(() => api.hangUp({ linkId: guestLink.linkId }))} data-testid="audience-hang-up">
              {t('console.link.hangUp')}
            </button>
          </div>
        ) : watching && request ? (
          <div className="invite" data-testid="audience-requested" role="status">
            <span>{t('console.audience.requested')}</span>
            <span className="countdown">{t('console.link.expiresIn', { seconds: secondsLeft(request.expiresAt, now) })}</span>
            <button type="button" onClick={() => void run(() => api.cancelLinkMic({ requestId: request.requestId }))} data-testid="audience-cancel-request">
              {t('console.audience.cancelRequest')}
            </button>
          </div>
        ) : watching ? (
          <button type="button" className="btn-primary" onClick={() => requestLink(watching)} data-testid="audience-request-link">
            {t('console.audience.request')}
          </button>
        ) : (
          <p className="muted">{t('console.audience.empty')}</p>
        )}
      </section>
      {watching
        ? state.watchedBattles
            .filter((view) => view.battle.sides.some((side) => side.roomId === watching.roomId))
            .map((view) => <WatchedBattle key={view.pkId} view={view} joinedRooms={[watching.roomId]} />)
        : null}
      {watching ? <AudienceMix watching={watching} guestLink={guestLink} ownStreamCode={state.live.role === 'small' ? (state.live.streamCode ?? settings.streamCode) : settings.streamCode} /> : null}
    </div>
  );
}

function mixParticipants(watching: Watching): LayoutParticipant[] {
  if (watching.layout) return [...watching.layout.participants].sort((a, b) => a.z - b.z);
  return [{ userId: watching.roomId, streamCode: watching.streamCode, rect: { x: 0, y: 0, w: 1, h: 1 }, z: 0 }];
}

function AudienceMix({ watching, guestLink, ownStreamCode }: { watching: Watching; guestLink: LinkView | null; ownStreamCode: string }) {
  const { t } = useI18n();
  const participants = mixParticipants(watching);
  return (
    <div className="mix-frame" data-testid="audience-mix" data-template={watching.layout?.templateId ?? 0}>
      {participants.map((p) => {
        const rect = p.rect;
        const own = guestLink !== null && p.streamCode === ownStreamCode;
        // Linked: the host over the low-latency URL (200 ms); everyone else over the audience URL (1 s).
        const lowLatency = guestLink !== null && p.streamCode === guestLink.peer.streamCode;
        const url = lowLatency ? guestLink.playUrls.httpFlv : (watching.audienceUrls[p.streamCode] ?? null);
        return (
          <div
            key={p.userId}
            className="mix-tile"
            style={{ left: `${rect.x * 100}%`, top: `${rect.y * 100}%`, width: `${rect.w * 100}%`, height: `${rect.h * 100}%`, zIndex: p.z + 1 }}
            data-testid={`audience-tile-${p.userId}`}
            data-rect={`${rect.x},${rect.y},${rect.w},${rect.h}`}
          >
            {own ? (
              <div className="mix-own">{t('console.audience.you')}</div>
            ) : (
              <PlayerView
                key={lowLatency ? 'link' : 'audience'}
                url={url}
                mode={lowLatency ? 'link' : 'audience'}
                muted={p.audio === false}
                label={p.userId}
                showStats={lowLatency}
                testId={`audience-player-${p.userId}`}
              />
            )}
            <span className="mix-label">
              {p.userId}
              {lowLatency ? ` · ${t('console.audience.lowLatency')}` : ''}
            </span>
          </div>
        );
      })}
    </div>
  );
}
