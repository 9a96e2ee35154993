// The PK battles this studio hears of through signalling (`pk.battle`, docs/protocol.md §6): our
// own PK's battle and, in audience mode, the battles of rooms joined as a viewer. The server owns
// the clock and the scores; this only keeps the latest copy and the server's clock offset so every
// console shows the same countdown.
import { WATCHED_BATTLE_GRACE_MS, type Battle } from '../../common/signal/pk-battle';
import type { PkStarted } from '../../common/signal/messages';
import type { PkBattleView } from '../../common/studio-api';
import type { Disposable } from '../../common/typed-emitter';
import type { SignalPort } from './ports';

export class PkBattleMirror {
  private readonly battles = new Map<string, PkBattleView>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Follows `pk.battle` and `pk.ended` on a connection; `onChange` hears every update. */
  attach(signal: SignalPort, onChange: (view: PkBattleView) => void): Disposable {
    const a = signal.on('pk.battle', (event) => {
      const view: PkBattleView = { pkId: event.pkId, battle: event.battle, serverOffsetMs: event.serverTime - this.now() };
      this.battles.set(event.pkId, view);
      onChange(view);
    });
    const b = signal.on('pk.ended', (event) => {
      this.battles.delete(event.pkId);
    });
    return {
      dispose() {
        a.dispose();
        b.dispose();
      },
    };
  }

  /** Our PK's battle: the latest `pk.battle`, else the one `pk.started` carried. */
  viewOf(pk: PkStarted): PkBattleView | null {
    const known = this.battles.get(pk.pkId);
    if (known) return known;
    return pk.battle ? this.seed(pk.pkId, pk.battle) : null;
  }

  /** Battles of the rooms joined as a viewer, still running or shortly after their result. */
  watched(joinedRooms: ReadonlySet<string>, ownPkId: string | null): PkBattleView[] {
    const out: PkBattleView[] = [];
    for (const view of this.battles.values()) {
      if (view.pkId === ownPkId) continue;
      if (!view.battle.sides.some((side) => joinedRooms.has(side.roomId))) continue;
      if (this.now() + view.serverOffsetMs > view.battle.resultEndsAt + WATCHED_BATTLE_GRACE_MS) {
        this.battles.delete(view.pkId);
        continue;
      }
      out.push(view);
    }
    return out;
  }

  /** A battle learnt from a snapshot (joinRoom, user state), without a server time: offset unknown (0). */
  seed(pkId: string, battle: Battle): PkBattleView {
    const view: PkBattleView = { pkId, battle, serverOffsetMs: this.battles.get(pkId)?.serverOffsetMs ?? 0 };
    this.battles.set(pkId, view);
    return view;
  }

  /** A battle from a reconnect's `hello` (its `serverTime` gives the clock offset): replaces what we had. */
  refresh(pkId: string, battle: Battle, serverTime: number): PkBattleView {
    const view: PkBattleView = { pkId, battle, serverOffsetMs: serverTime - this.now() };
    this.battles.set(pkId, view);
    return view;
  }

  forget(pkId: string): void {
    this.battles.delete(pkId);
  }

  clear(): void {
    this.battles.clear();
  }
}
