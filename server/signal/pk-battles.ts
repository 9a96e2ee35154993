// PK battles on the server: the clock (battle → result phase → rematch or the PK ends), the
// scores counted per side from viewers' `pk.vote` with a per-viewer rate limit, and the
// `pk.battle` broadcasts (score changes coalesced). The battle's state lives in its PkEntry
// (signal-state.ts, plain data); this class owns only timers and rate-limit buckets, which `arm`
// and the buckets' fresh start rebuild after a restore.
import { LinkMicError, ValidationError } from '../../common/errors';
import { BATTLE_DURATIONS_SEC, BATTLE_VOTE_POINTS, battleWinner, type Battle } from '../../common/signal/pk-battle';
import type { EventPayload, RequestParams, RequestResult } from '../../common/signal/messages';
import type { Clock, TimerHandle } from './clock';
import type { SignalLogger } from './deps';
import type { BattleEntry, PkEntry } from './signal-state';
import { TokenBucket, type RateLimit } from './token-bucket';

export interface PkBattlesConfig {
  /** Length of the result phase (default 10 s). */
  readonly resultMs: number;
  /** One extra duration accepted besides 1/3/5/10 min (tests only; null = off, the default). */
  readonly testDurationSec: number | null;
  /** Votes per viewer (default burst 20, 5/s). */
  readonly voteRateLimit: RateLimit;
  /** Score changes are broadcast at most this often (default 250 ms). */
  readonly scoreFlushMs: number;
}

/** What the battles need from the hub. */
export interface PkBattlesHost {
  pk(pkId: string): PkEntry | undefined;
  /** Sends `pk.battle` to both hosts, their guests and both rooms' viewers. */
  broadcastBattle(pk: PkEntry, payload: EventPayload<'pk.battle'>): void;
  /** Whether `userId` may vote in this PK: a viewer or linked guest of one of its rooms, not a host. */
  isAudience(pk: PkEntry, userId: string): boolean;
  /** The result phase ended without a rematch: end the PK (reason `finished`). */
  finish(pkId: string): void;
}

export class PkBattles {
  private readonly timers = new Map<string, TimerHandle>();
  private readonly flushTimers = new Map<string, TimerHandle>();
  private readonly buckets = new Map<string, Map<string, TokenBucket>>();

  constructor(
    private readonly config: PkBattlesConfig,
    private readonly host: PkBattlesHost,
    private readonly clock: Clock,
    private readonly logger: SignalLogger,
  ) {}

  /** The durations this server accepts, seconds. */
  get durations(): number[] {
    const list: number[] = [...BATTLE_DURATIONS_SEC];
    if (this.config.testDurationSec !== null && !list.includes(this.config.testDurationSec)) list.unshift(this.config.testDurationSec);
    return list;
  }

  /** Checks an invite's `durationSec` (undefined = open-ended PK). */
  checkDuration(durationSec: number | undefined): number | null {
    if (durationSec === undefined) return null;
    if (!this.durations.includes(durationSec)) {
      throw new ValidationError('INVALID_ARGUMENT', 'durationSec', `a PK battle lasts ${this.durations.join(', ')} seconds, not ${durationSec}`);
    }
    return durationSec;
  }

  /** Starts round 1 of a freshly accepted PK battle. */
  start(pk: PkEntry, durationSec: number): void {
    const now = this.clock.now();
    pk.battle = { round: 1, durationSec, phase: 'battle', startedAt: now, endsAt: now + durationSec * 1000, resultEndsAt: now + durationSec * 1000 + this.config.resultMs, scores: [0, 0], winner: null, rematch: [] };
    this.arm(pk);
    this.logger.info('signal: pk battle started', { pkId: pk.pkId, durationSec });
  }

  /** Sends the battle's current state to everyone in the PK. */
  announce(pk: PkEntry): void {
    this.broadcast(pk);
  }

  /** (Re)schedules the battle's next phase change from its state (also after a restore). */
  arm(pk: PkEntry): void {
    this.timers.get(pk.pkId)?.cancel();
    const battle = pk.battle;
    if (!battle) return;
    const at = battle.phase === 'battle' ? battle.endsAt : battle.resultEndsAt;
    this.timers.set(
      pk.pkId,
      this.clock.setTimeout(() => this.onTimer(pk.pkId), Math.max(0, at - this.clock.now())),
    );
  }

  vote(userId: string, params: RequestParams<'pk.vote'>): RequestResult<'pk.vote'> {
    const pk = this.host.pk(params.pkId);
    if (!pk?.battle) throw new LinkMicError('INVALID_STATE', `no PK battle ${params.pkId}`, { field: 'pkId' });
    const battle = pk.battle;
    if (battle.phase !== 'battle') throw new LinkMicError('INVALID_STATE', `PK battle ${pk.pkId} is over: votes are closed`, { field: 'pkId' });
    const side = pk.sides.findIndex((s) => s.roomId === params.roomId);
    if (side < 0) throw new ValidationError('INVALID_ARGUMENT', 'roomId', `room ${params.roomId} is not a side of PK ${pk.pkId}`);
    if (!this.host.isAudience(pk, userId)) throw new LinkMicError('NOT_ALLOWED', 'only viewers and guests of the two rooms can vote (not the hosts)', { field: 'pkId' });
    if (!this.bucket(pk.pkId, userId).take(this.clock.now())) {
      throw new LinkMicError('RATE_LIMITED', `too many votes: at most ${this.config.voteRateLimit.perSecond} per second per viewer`, { field: 'kind' });
    }
    const points = BATTLE_VOTE_POINTS[params.kind];
    battle.scores[side as 0 | 1] += points;
    this.scheduleFlush(pk.pkId);
    return { points };
  }

  rematch(userId: string, params: RequestParams<'pk.rematch'>): RequestResult<'pk.rematch'> {
    const pk = this.host.pk(params.pkId);
    if (!pk?.battle) throw new LinkMicError('INVALID_STATE', `no PK battle ${params.pkId}`, { field: 'pkId' });
    if (!pk.sides.some((s) => s.userId === userId)) throw new LinkMicError('NOT_ALLOWED', 'only a host in the PK can ask for a rematch', { field: 'pkId' });
    const battle = pk.battle;
    if (battle.phase !== 'result') throw new LinkMicError('INVALID_STATE', 'a rematch can be asked for in the result phase only', { field: 'pkId' });
    if (!battle.rematch.includes(userId)) battle.rematch.push(userId);
    if (pk.sides.every((s) => battle.rematch.includes(s.userId))) this.nextRound(pk, battle);
    else this.broadcast(pk);
    return { rematch: [...battle.rematch] };
  }

  /** The PK ended: drops its timers and buckets. */
  stop(pkId: string): void {
    this.timers.get(pkId)?.cancel();
    this.timers.delete(pkId);
    this.flushTimers.get(pkId)?.cancel();
    this.flushTimers.delete(pkId);
    this.buckets.delete(pkId);
  }

  /** The battle as sent on the wire. */
  view(pk: PkEntry): Battle | null {
    const battle = pk.battle;
    if (!battle) return null;
    return {
      round: battle.round,
      durationSec: battle.durationSec,
      phase: battle.phase,
      startedAt: battle.startedAt,
      endsAt: battle.endsAt,
      resultEndsAt: battle.resultEndsAt,
      sides: [
        { roomId: pk.sides[0].roomId, userId: pk.sides[0].userId, score: battle.scores[0] },
        { roomId: pk.sides[1].roomId, userId: pk.sides[1].userId, score: battle.scores[1] },
      ],
      result: battle.phase === 'result' ? { winnerRoomId: battle.winner === null ? null : pk.sides[battle.winner].roomId } : null,
      rematch: [...battle.rematch],
    };
  }

  dispose(): void {
    for (const timer of this.timers.values()) timer.cancel();
    for (const timer of this.flushTimers.values()) timer.cancel();
    this.timers.clear();
    this.flushTimers.clear();
    this.buckets.clear();
  }

  private onTimer(pkId: string): void {
    this.timers.delete(pkId);
    const pk = this.host.pk(pkId);
    const battle = pk?.battle;
    if (!pk || !battle) return;
    if (battle.phase === 'battle') {
      battle.phase = 'result';
      battle.winner = battleWinner([{ score: battle.scores[0] }, { score: battle.scores[1] }]);
      battle.resultEndsAt = Math.max(battle.resultEndsAt, this.clock.now() + this.config.resultMs);
      this.flushTimers.get(pkId)?.cancel();
      this.flushTimers.delete(pkId);
      this.arm(pk);
      this.broadcast(pk);
      this.logger.info('signal: pk battle result', { pkId, scores: battle.scores, winner: battle.winner });
      return;
    }
    this.host.finish(pkId);
  }

  private nextRound(pk: PkEntry, battle: BattleEntry): void {
    const now = this.clock.now();
    battle.round += 1;
    battle.phase = 'battle';
    battle.startedAt = now;
    battle.endsAt = now + battle.durationSec * 1000;
    battle.resultEndsAt = battle.endsAt + this.config.resultMs;
    battle.scores = [0, 0];
    battle.winner = null;
    battle.rematch = [];
    this.buckets.delete(pk.pkId);
    this.arm(pk);
    this.broadcast(pk);
    this.logger.info('signal: pk battle rematch', { pkId: pk.pkId, round: battle.round });
  }

  private bucket(pkId: string, userId: string): TokenBucket {
    let perPk = this.buckets.get(pkId);
    if (!perPk) {
      perPk = new Map();
      this.buckets.set(pkId, perPk);
    }
    let bucket = perPk.get(userId);
    if (!bucket) {
      bucket = new TokenBucket(this.config.voteRateLimit, this.clock.now());
      perPk.set(userId, bucket);
    }
    return bucket;
  }

  private scheduleFlush(pkId: string): void {
    if (this.flushTimers.has(pkId)) return;
    this.flushTimers.set(
      pkId,
      this.clock.setTimeout(() => {
        this.flushTimers.delete(pkId);
        const pk = this.host.pk(pkId);
        if (pk?.battle) this.broadcast(pk);
      }, this.config.scoreFlushMs),
    );
  }

  private broadcast(pk: PkEntry): void {
    const battle = this.view(pk);
    if (battle) this.host.broadcastBattle(pk, { pkId: pk.pkId, battle, serverTime: this.clock.now() });
  }
}
