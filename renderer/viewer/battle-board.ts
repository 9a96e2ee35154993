// The PK battle on the audience page: the round and the server's countdown, the score bar with the
// watched room's side first, the winner (or a draw) in the result phase, and the like / gift
// buttons that vote for the watched room. The numbers come from the console's battle model
// (renderer/console/pk-battle-model.ts), so the page and both consoles show the same thing.
import { formatCountdown, WATCHED_BATTLE_GRACE_MS, type BattleVoteKind } from '../../common/signal/pk-battle';
import { toErrorPayload } from '../../common/errors';
import { formatNumber, translateError, type Locale, type MessageKey } from '../../common/i18n';
import type { PkBattleView } from '../../common/studio-api';
import { battleScreen, VOTE_KINDS, type BattleScreen } from '../console/pk-battle-model';

const TICK_MS = 250;

export interface BattleBoardOptions {
  readonly locale: Locale;
  readonly t: (key: MessageKey, params?: Record<string, string | number>) => string;
  /** The room this page watches: its side is shown first and gets the votes. */
  readonly roomId: string;
  /** Sends one vote; resolves with the points counted. */
  readonly vote: (pkId: string, roomId: string, kind: BattleVoteKind) => Promise<{ points: number }>;
  readonly now?: () => number;
}

/** What the page shows of the battle, for tests and embedding. */
export interface BattleSnapshot {
  readonly pkId: string;
  readonly round: number;
  readonly phase: 'battle' | 'result';
  readonly secondsLeft: number;
  readonly ours: { readonly roomId: string; readonly score: number };
  readonly theirs: { readonly roomId: string; readonly score: number };
  /** The winning room in the result phase; null for a draw or during the battle. */
  readonly winnerRoomId: string | null;
  readonly outcome: BattleScreen['outcome'];
}

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

export class BattleBoard {
  private view: PkBattleView | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly now: () => number;
  private readonly root = byId<HTMLElement>('battle');
  private readonly round = byId<HTMLSpanElement>('battle-round');
  private readonly clock = byId<HTMLSpanElement>('battle-clock');
  private readonly bar = byId<HTMLDivElement>('battle-bar');
  private readonly ours = byId<HTMLDivElement>('battle-ours');
  private readonly theirs = byId<HTMLDivElement>('battle-theirs');
  private readonly result = byId<HTMLParagraphElement>('battle-result');
  private readonly winner = byId<HTMLElement>('battle-winner');
  private readonly resultClock = byId<HTMLSpanElement>('battle-result-clock');
  private readonly votes = byId<HTMLDivElement>('battle-votes');
  private readonly support = byId<HTMLSpanElement>('battle-support');
  private readonly note = byId<HTMLSpanElement>('battle-note');
  private readonly buttons = new Map<BattleVoteKind, HTMLButtonElement>();

  constructor(private readonly options: BattleBoardOptions) {
    this.now = options.now ?? Date.now;
    for (const kind of VOTE_KINDS) {
      const button = this.votes.querySelector<HTMLButtonElement>(`button[data-kind="${kind}"]`);
      if (!button) continue;
      button.textContent = options.t(`pk.battle.vote.${kind}`);
      button.addEventListener('click', () => this.sendVote(kind));
      this.buttons.set(kind, button);
    }
  }

  /** The latest battle of the watched room's PK, or null when there is none (any more). */
  show(view: PkBattleView | null): void {
    if (view && !view.battle.sides.some((side) => side.roomId === this.options.roomId)) return;
    if (view?.pkId !== this.view?.pkId || view?.battle.round !== this.view?.battle.round) this.note.textContent = '';
    this.view = view;
    if (view && this.timer === undefined) this.timer = setInterval(() => this.render(), TICK_MS);
    this.render();
  }

  get current(): PkBattleView | null {
    return this.view;
  }

  snapshot(): BattleSnapshot | null {
    const view = this.view;
    if (!view) return null;
    const screen = battleScreen(view, this.options.roomId, this.now());
    return {
      pkId: view.pkId,
      round: screen.round,
      phase: screen.phase,
      secondsLeft: screen.secondsLeft,
      ours: screen.ours,
      theirs: screen.theirs,
      winnerRoomId: screen.outcome === 'won' ? screen.ours.roomId : screen.outcome === 'lost' ? screen.theirs.roomId : null,
      outcome: screen.outcome,
    };
  }

  private render(): void {
    const view = this.view;
    if (view && this.now() + view.serverOffsetMs > view.battle.resultEndsAt + WATCHED_BATTLE_GRACE_MS) this.view = null;
    if (!this.view) {
      this.root.hidden = true;
      delete this.root.dataset.phase;
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const { t, locale } = this.options;
    const screen = battleScreen(this.view, this.options.roomId, this.now());
    const time = formatCountdown(screen.secondsLeft);
    this.root.hidden = false;
    Object.assign(this.root.dataset, { phase: screen.phase, round: String(screen.round), ours: String(screen.ours.score), theirs: String(screen.theirs.score) });
    this.round.textContent = `${t('viewer.battle.title')} · ${t('pk.battle.round', { round: screen.round })}`;
    this.clock.hidden = screen.phase !== 'battle';
    this.clock.textContent = t('pk.battle.timeLeft', { time });
    this.ours.textContent = t('viewer.battle.side', { room: screen.ours.roomId, score: screen.ours.score });
    this.theirs.textContent = t('viewer.battle.side', { room: screen.theirs.roomId, score: screen.theirs.score });
    this.ours.style.flexGrow = String(screen.oursShare);
    this.theirs.style.flexGrow = String(1 - screen.oursShare);
    this.bar.setAttribute('aria-label', `${screen.ours.roomId} ${formatNumber(locale, screen.ours.score)} : ${formatNumber(locale, screen.theirs.score)} ${screen.theirs.roomId}`);
    if (screen.outcome) {
      this.result.hidden = false;
      this.result.dataset.outcome = screen.outcome;
      this.winner.textContent = screen.outcome === 'draw' ? t('pk.battle.draw') : t('viewer.battle.winner', { room: screen.outcome === 'won' ? screen.ours.roomId : screen.theirs.roomId });
      this.resultClock.textContent = t('viewer.battle.resultEnds', { time });
    } else {
      this.result.hidden = true;
      delete this.result.dataset.outcome;
    }
    this.votes.hidden = screen.phase !== 'battle';
    this.support.textContent = t('viewer.battle.support', { room: this.options.roomId });
  }

  private sendVote(kind: BattleVoteKind): void {
    const view = this.view;
    if (!view || view.battle.phase !== 'battle') return;
    const roomId = this.options.roomId;
    this.options.vote(view.pkId, roomId, kind).then(
      ({ points }) => {
        this.note.textContent = this.options.t('viewer.battle.voted', { points, room: roomId });
      },
      (error: unknown) => {
        this.note.textContent = translateError(this.options.locale, toErrorPayload(error));
      },
    );
  }
}
