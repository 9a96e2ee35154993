// Link-mic (连麦): the "allow requests" switch, the queue of incoming requests with accept /
// reject and their countdown, and who is on stage (their players live in the stage column).
import { useI18n } from './i18n-context';
import { useAction } from './notices';
import { useStudio } from './studio-session';
import { secondsLeft } from './studio-views';
import { useNow } from './use-now';

export function LinkMicPanel() {
  const { api, state } = useStudio();
  const { t } = useI18n();
  const run = useAction();
  const room = state.room;
  const incoming = state.linkRequests.filter((r) => r.direction === 'incoming' && (!room || r.roomId === room.roomId));
  const guests = state.links.filter((l) => l.role === 'host');
  const guestLink = state.links.find((l) => l.role === 'guest');
  const now = useNow(incoming.length > 0);

  return (
    <div className="panel-grid">
      {guestLink ? (
        <section className="card" data-testid="guest-link">
          <p>{t('console.link.guestOf', { room: guestLink.roomId })}</p>
          <button type="button" onClick={() => void run(() => api.hangUp({ linkId: guestLink.linkId }))} data-testid="hang-up">
            {t('console.link.hangUp')}
          </button>
        </section>
      ) : null}
      {!room ? (
        <section className="card">
          <p className="muted" data-testid="link-need-room">
            {t('console.link.needRoom')}
          </p>
        </section>
      ) : (
        <>
          <section className="card" aria-labelledby="requests-title">
            <div className="card-head">
              <h2 id="requests-title">{t('console.link.requests', { count: incoming.length })}</h2>
              <label className="switch">
                <input
                  type="checkbox"
                  role="switch"
                  aria-checked={room.allowLinkRequests}
                  checked={room.allowLinkRequests}
                  onChange={(e) => void run(() => api.updateRoom({ allowLinkRequests: e.target.checked }))}
                  data-testid="allow-requests"
                />
                {t('console.link.allow')}
              </label>
            </div>
            {incoming.length === 0 ? (
              <p className="muted">{t('console.link.noRequests')}</p>
            ) : (
              <ul className="queue" data-testid="request-queue">
                {incoming.map((request) => (
                  <li key={request.requestId} className="queue-item" data-testid={`request-${request.from ?? request.requestId}`}>
                    <span className="queue-who">{request.from}</span>
                    <span className="muted countdown">{t('console.link.expiresIn', { seconds: secondsLeft(request.expiresAt, now) })}</span>
                    <button type="button" className="btn-primary" onClick={() => void run(() => api.acceptLinkMic({ requestId: request.requestId }))} data-testid="accept-request">
                      {t('console.link.accept')}
                    </button>
                    <button type="button" onClick={() => void run(() => api.rejectLinkMic({ requestId: request.requestId }))} data-testid="reject-request">
                      {t('console.link.reject')}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="card" aria-labelledby="guests-title">
            <h2 id="guests-title">{t('console.link.guests', { count: guests.length, limit: room.guestLimit })}</h2>
            {guests.length === 0 ? (
              <p className="muted">{t('console.link.noGuests')}</p>
            ) : (
              <ul className="guest-list" data-testid="guest-list">
                {guests.map((g) => (
                  <li key={g.linkId} data-testid={`guest-${g.peer.userId}`}>
                    {g.peer.userId} <span className="muted">· {g.peer.streamCode}</span>
                  </li>
                ))}
              </ul>
            )}
            <p className="muted">{t('console.link.quota', { quota: room.guestLimit })}</p>
          </section>
        </>
      )}
    </div>
  );
}
