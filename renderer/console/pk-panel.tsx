// Cross-room PK: invite another live host by room id, the invite's state and countdown, incoming
// invites to accept or decline, and the PK in progress (the opponent's player is on the stage).
import { useState, type FormEvent } from 'react';
import { useI18n } from './i18n-context';
import { PkBattleBoard, WatchedBattle } from './pk-battle';
import { BATTLE_DURATION_CHOICES, DEFAULT_BATTLE_DURATION_SEC, pickedDuration } from './pk-battle-model';
import { useAction } from './notices';
import { useStudio } from './studio-session';
import { secondsLeft } from './studio-views';
import { useNow } from './use-now';

export function PkPanel() {
  const { api, state } = useStudio();
  const { t } = useI18n();
  const run = useAction();
  const [roomId, setRoomId] = useState('');
  const [picked, setPicked] = useState<number>(DEFAULT_BATTLE_DURATION_SEC);
  // The lengths the server accepts (a test server adds a short one), else the product's four.
  const offered = state.server.battleDurationsSec.length > 0 ? state.server.battleDurationsSec : BATTLE_DURATION_CHOICES;
  const durationSec = pickedDuration(picked, offered);
  const outgoing = state.pkInvites.filter((i) => i.direction === 'outgoing');
  const incoming = state.pkInvites.filter((i) => i.direction === 'incoming');
  const now = useNow(state.pkInvites.length > 0);
  const pk = state.pk;
  const canInvite = state.room !== null && !pk && outgoing.length === 0;
  const invite = (event: FormEvent) => {
    event.preventDefault();
    const target = roomId.trim();
    if (target) void run(() => api.invitePk({ roomId: target, ...(durationSec > 0 ? { durationSec } : {}) }));
  };
  return (
    <div className="panel-grid">
      <section className="card" aria-labelledby="pk-title">
        <h2 id="pk-title">{t('console.nav.pk')}</h2>
        {pk ? (
          <div className="pk-live" data-testid="pk-in-progress" data-peer={pk.peer.userId}>
            <p className="pk-banner">{t('console.pk.inProgress', { user: pk.peer.userId, room: pk.peer.roomId })}</p>
            {pk.battle ? <PkBattleBoard view={pk.battle} ownRoomId={pk.roomId} hostUserId={state.server.userId} /> : null}
            <button type="button" className="btn-danger" onClick={() => void run(() => api.endPk({ pkId: pk.pkId }))} data-testid="end-pk">
              {t('console.pk.end')}
            </button>
          </div>
        ) : (
          <p className="muted" data-testid="pk-solo">
            {t('console.pk.solo')}
          </p>
        )}
        {!state.room ? <p className="muted">{t('console.pk.needLive')}</p> : null}
        <form onSubmit={invite} className="inline-form">
          <span className="field">
            <label htmlFor="pk-duration">{t('pk.battle.duration')}</label>
            <select id="pk-duration" value={durationSec} onChange={(e) => setPicked(Number(e.target.value))} disabled={!canInvite} data-testid="pk-duration">
              <option value={0}>{t('pk.battle.openEnded')}</option>
              {offered.map((sec) => (
                <option key={sec} value={sec}>
                  {sec % 60 === 0 ? t('pk.battle.minutes', { minutes: sec / 60 }) : t('pk.battle.seconds', { seconds: sec })}
                </option>
              ))}
            </select>
          </span>
          <span className="field">
            <label htmlFor="pk-room">{t('console.pk.roomId')}</label>
            <input id="pk-room" value={roomId} onChange={(e) => setRoomId(e.target.value)} disabled={!canInvite} data-testid="pk-room-id" />
          </span>
          <button type="submit" className="btn-primary" disabled={!canInvite || roomId.trim() === ''} data-testid="pk-invite">
            {t('console.pk.invite')}
          </button>
        </form>
        {outgoing.map((invite) => (
          <div key={invite.pkId} className="invite" data-testid="pk-outgoing" role="status">
            <span>{t('console.pk.inviting', { room: invite.toRoomId ?? '' })}</span>
            <span className="countdown" data-testid="pk-countdown">
              {t('console.pk.countdown', { seconds: secondsLeft(invite.expiresAt, now) })}
            </span>
            <button type="button" onClick={() => void run(() => api.cancelPkInvite({ pkId: invite.pkId }))} data-testid="pk-cancel">
              {t('console.pk.cancel')}
            </button>
          </div>
        ))}
      </section>
      {state.watchedBattles.map((view) => (
        <WatchedBattle key={view.pkId} view={view} joinedRooms={state.joinedRooms} />
      ))}
      {incoming.length > 0 ? (
        <section className="card card-attention" aria-labelledby="pk-incoming-title">
          <h2 id="pk-incoming-title">{t('console.nav.pk')}</h2>
          {incoming.map((invite) => (
            <div key={invite.pkId} className="invite" data-testid="pk-incoming">
              <span>{t('console.pk.incoming', { user: invite.from ?? '', room: invite.fromRoomId ?? '' })}</span>
              <span className="countdown">{t('console.pk.countdown', { seconds: secondsLeft(invite.expiresAt, now) })}</span>
              <button type="button" className="btn-primary" onClick={() => void run(() => api.acceptPk({ pkId: invite.pkId }))} data-testid="pk-accept">
                {t('console.pk.accept')}
              </button>
              <button type="button" onClick={() => void run(() => api.rejectPk({ pkId: invite.pkId }))} data-testid="pk-reject">
                {t('console.pk.reject')}
              </button>
            </div>
          ))}
        </section>
      ) : null}
    </div>
  );
}
