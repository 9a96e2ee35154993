// A PK battle on the console: the server's countdown (the same on both consoles), the score bar
// (our side vs theirs), the winner or a draw in the result phase and the Rematch button; in
// audience mode the like and gift buttons.
import { formatCountdown } from '../../common/signal/pk-battle';
import type { PkBattleView } from '../../common/studio-api';
import { useI18n, type I18n } from './i18n-context';
import { useAction } from './notices';
import { battleScreen, VOTE_KINDS, type BattleScreen } from './pk-battle-model';
import { useStudio } from './studio-session';
import { useNow } from './use-now';

/**
 * `audience`: a viewer's board (the watched room is the first side, but it is not "us": both sides
 * are named by room, the winner by room, and the board closes instead of going "back to solo").
 */
export function PkBattleBoard({ view, ownRoomId, hostUserId, audience = false }: { view: PkBattleView; ownRoomId: string | null; hostUserId: string | null; audience?: boolean }) {
  const { api } = useStudio();
  const { t, number } = useI18n();
  const run = useAction();
  const now = useNow(true, 250);
  const screen = battleScreen(view, ownRoomId, now, audience);
  const time = formatCountdown(screen.secondsLeft);
  const asked = hostUserId !== null && screen.rematch.includes(hostUserId);
  const oursLabel = audience ? t('pk.battle.side', { score: screen.ours.score, room: screen.ours.roomId }) : t('pk.battle.ours', { score: screen.ours.score });
  const theirsLabel = t('pk.battle.side', { score: screen.theirs.score, room: screen.theirs.roomId });
  return (
    <div className="pk-battle" data-testid="pk-battle" data-phase={screen.phase} data-round={screen.round} data-ours={screen.ours.score} data-theirs={screen.theirs.score}>
      <p className="pk-battle-head">
        <span>{t('pk.battle.round', { round: screen.round })}</span>
        {screen.phase === 'battle' ? (
          <span className="countdown" data-testid="pk-battle-countdown">
            {t('pk.battle.timeLeft', { time })}
          </span>
        ) : null}
      </p>
      <div className="pk-score-bar" role="img" aria-label={`${number(screen.ours.score)} : ${number(screen.theirs.score)}`}>
        {/* A small share cuts the room's name short (ellipsis): the title keeps it whole. */}
        <div className="pk-score-ours" data-testid="pk-score-ours" style={{ flexGrow: screen.oursShare }} title={oursLabel}>
          {oursLabel}
        </div>
        <div className="pk-score-theirs" data-testid="pk-score-theirs" style={{ flexGrow: 1 - screen.oursShare }} title={theirsLabel}>
          {theirsLabel}
        </div>
      </div>
      {screen.outcome ? (
        <div className="pk-result" data-testid="pk-battle-result" data-outcome={screen.outcome} role="status">
          <strong data-testid="pk-battle-winner">{resultText(screen, audience, t)}</strong> <span className="muted">{audience ? t('pk.battle.boardCloses', { time }) : t('pk.battle.backToSolo', { time })}</span>
          {hostUserId !== null ? (
            asked ? (
              <span className="muted" data-testid="pk-rematch-asked">
                {t('pk.battle.rematchAsked')}
              </span>
            ) : (
              <button type="button" className="btn-primary" onClick={() => void run(() => api.rematchPk({ pkId: view.pkId }))} data-testid="pk-rematch">
                {t('pk.battle.rematch')}
              </button>
            )
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** The result line: for a host won / lost to {room} / draw; for a viewer the winning room by name. */
function resultText(screen: BattleScreen, audience: boolean, t: I18n['t']): string {
  if (screen.outcome === 'draw') return t('pk.battle.draw');
  if (audience) return t('pk.battle.roomWon', { room: screen.outcome === 'won' ? screen.ours.roomId : screen.theirs.roomId });
  return screen.outcome === 'won' ? t('pk.battle.won') : t('pk.battle.lost', { room: screen.theirs.roomId });
}

/** Audience mode: a joined room's battle with the like and gift buttons for the room watched. */
export function WatchedBattle({ view, joinedRooms }: { view: PkBattleView; joinedRooms: readonly string[] }) {
  const { api } = useStudio();
  const { t } = useI18n();
  const run = useAction();
  const watched = view.battle.sides.find((s) => joinedRooms.includes(s.roomId))?.roomId ?? view.battle.sides[0].roomId;
  return (
    <section className="card" data-testid="pk-watched" data-pk={view.pkId}>
      <h2>{t('pk.battle.watching', { room: watched })}</h2>
      <PkBattleBoard view={view} ownRoomId={watched} hostUserId={null} audience />
      {view.battle.phase === 'battle' ? (
        <div className="inline-form">
          {VOTE_KINDS.map((kind) => (
            <button key={kind} type="button" onClick={() => void run(() => api.votePk({ pkId: view.pkId, roomId: watched, kind }))} data-testid={`pk-vote-${kind}`}>
              {t(`pk.battle.vote.${kind}`)}
            </button>
          ))}
        </div>
      ) : null}
    </section>
  );
}
