// The program monitor: the live composite the audience sees — our own picture, each linked guest
// and the PK opponent, each a live player placed in the room's current layout (rectangles and
// z-order) by the same rule as the audience's client-side mix and the server mix
// (common/program-geometry.ts). One monitor per console, so one connection per stream: its players
// are the stage's players (the co-hosts' audio plays from here). It lives in one detached element
// that moves, without remounting, to whichever slot holds it: the stage column while live, the
// layout editor while that screen is open (whose boxes are then an overlay on the live pictures).
import { createPortal } from 'react-dom';
import { createContext, useCallback, useContext, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Layout, LayoutParticipant } from '../../common/layout';
import type { MessageKey } from '../../common/i18n';
import { isMixTemplateId, type MixTemplateId } from '../../common/mix-templates';
import { programBoxes } from '../../common/program-geometry';
import type { CoHostAudio, StudioState } from '../../common/studio-api';
import { useI18n } from './i18n-context';
import { roomParticipants, templateLayout } from './layout-model';
import { PlayerView } from './player-view';
import { useStudio } from './studio-session';

interface MonitorSlots {
  /** Offers `element` to hold the monitor; the highest priority (latest on a tie) holds it. */
  claim(element: HTMLElement, priority: number): () => void;
  readonly holder: HTMLElement | null;
  /** A layout being edited, drawn instead of the published one until cleared (null). */
  setDraft(layout: Layout | null): void;
  readonly draft: Layout | null;
}

const MonitorContext = createContext<MonitorSlots | null>(null);

/** Owns the one program monitor of the console and moves it between the slots that claim it. */
export function ProgramMonitorProvider({ children }: { children: ReactNode }) {
  const host = useMemo(() => {
    const element = document.createElement('div');
    element.className = 'monitor-host';
    return element;
  }, []);
  const claims = useRef<Array<{ element: HTMLElement; priority: number; seq: number }>>([]);
  const seq = useRef(0);
  const [holder, setHolder] = useState<HTMLElement | null>(null);
  const place = useCallback(() => {
    const top = [...claims.current].sort((a, b) => b.priority - a.priority || b.seq - a.seq)[0];
    if (top) {
      if (host.parentElement !== top.element) top.element.appendChild(host);
    } else host.remove();
    setHolder(top?.element ?? null);
  }, [host]);
  const claim = useCallback(
    (element: HTMLElement, priority: number) => {
      seq.current += 1;
      const entry = { element, priority, seq: seq.current };
      claims.current.push(entry);
      place();
      return () => {
        claims.current = claims.current.filter((c) => c !== entry);
        place();
      };
    },
    [place],
  );
  const [draft, setDraft] = useState<Layout | null>(null);
  const value = useMemo(() => ({ claim, holder, draft, setDraft }), [claim, holder, draft]);
  return (
    <MonitorContext.Provider value={value}>
      {children}
      {holder ? <PortalInto host={host} /> : null}
    </MonitorContext.Provider>
  );
}

function PortalInto({ host }: { host: HTMLElement }) {
  // A portal keeps the studio and i18n contexts while the DOM lives in the moving host element.
  const draft = useContext(MonitorContext)?.draft ?? null;
  return createPortal(<ProgramMonitor draft={draft} />, host);
}

/**
 * A place the program monitor may be shown. While `active`, it claims the monitor with `priority`
 * (the layout editor outranks the stage); a slot that does not hold it shows `fallback`.
 */
export function MonitorSlot({ active, priority, fallback, className }: { active: boolean; priority: number; fallback?: ReactNode; className?: string }) {
  const slots = useContext(MonitorContext);
  // `claim` is stable: the holder changing must not re-claim.
  const claim = slots?.claim;
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!active || !claim || !element) return;
    return claim(element, priority);
  }, [active, priority, claim]);
  const held = slots !== null && slots.holder !== null && slots.holder === ref.current;
  return (
    <div className={`monitor-slot ${className ?? ''}`} data-testid={`monitor-slot-${priority}`} data-held={held}>
      <div ref={ref} className="monitor-slot-inner" />
      {!held && active ? fallback : null}
    </div>
  );
}

/** The room's layout, or, before one is published, the default one for who is on stage. */
export function programLayout(state: StudioState): Layout | null {
  const room = state.room;
  if (!room) return null;
  if (room.layout) return room.layout;
  const participants = roomParticipants(state);
  return participants.length > 0 ? templateLayout(1, participants) : null;
}

interface Source {
  readonly url: string | null;
  readonly mode: 'link' | 'audience';
  readonly audio: CoHostAudio | null;
  readonly kind: 'own' | 'guest' | 'pk' | 'other';
}

function sourceOf(state: StudioState, p: LayoutParticipant): Source {
  const room = state.room;
  if (p.userId === state.server.userId) {
    // Our own stream from the origin, muted: a streamer must never hear themself.
    const url = state.live.status === 'live' && room ? (room.audienceUrls[room.streamCode] ?? null) : null;
    return { url, mode: 'link', audio: null, kind: 'own' };
  }
  if (state.pk && state.pk.peer.userId === p.userId) return { url: state.pk.playUrls.httpFlv, mode: 'link', audio: state.pk.audio, kind: 'pk' };
  const link = state.links.find((l) => l.role === 'host' && l.peer.userId === p.userId);
  if (link) return { url: link.playUrls.httpFlv, mode: 'link', audio: link.audio, kind: 'guest' };
  return { url: room?.audienceUrls[p.streamCode] ?? null, mode: 'audience', audio: null, kind: 'other' };
}

const TEMPLATE_LABELS: Record<MixTemplateId, MessageKey> = { 1: 'console.mix.template1', 2: 'console.mix.template2', 3: 'console.mix.template3' };

/** Shows the layout being edited (`draft`, while dragging in the layout editor) when there is one. */
export function useMonitorDraft(draft: Layout | null, active: boolean): void {
  const setDraft = useContext(MonitorContext)?.setDraft;
  useLayoutEffect(() => {
    if (!setDraft) return;
    setDraft(active ? draft : null);
  }, [setDraft, draft, active]);
  useLayoutEffect(() => (setDraft ? () => setDraft(null) : undefined), [setDraft]);
}

export function ProgramMonitor({ draft = null }: { draft?: Layout | null }) {
  const { state } = useStudio();
  const { t } = useI18n();
  const layout = state.room ? (draft ?? programLayout(state)) : null;
  const serverMixId = state.room?.serverMix?.templateId;
  const serverMix = isMixTemplateId(serverMixId) ? serverMixId : null;
  const live = state.live.status === 'live' || state.live.status === 'reconnecting';
  const boxes = layout ? programBoxes(layout, serverMix) : [];
  return (
    <section className="program-monitor" aria-label={t('console.monitor.label')} data-testid="program-monitor" data-mix={serverMix ? `server-${serverMix}` : 'client'}>
      <header className="monitor-head">
        <span className={`monitor-live ${live ? 'is-live' : ''}`} data-testid="monitor-live" data-live={live}>
          {live ? t('console.monitor.live') : t('status.offline')}
        </span>
        <span className="monitor-mix" data-testid="monitor-mix">
          {serverMix ? t('console.monitor.mixServer', { template: t(TEMPLATE_LABELS[serverMix]) }) : t('console.monitor.mixClient')}
        </span>
      </header>
      <div className="monitor-frame" data-testid="monitor-frame" data-template={layout?.templateId ?? 0}>
        {boxes.map((p) => {
          const source = sourceOf(state, p);
          const rect = p.rect;
          const name = source.kind === 'own' ? t('console.monitor.you', { user: p.userId }) : source.kind === 'pk' ? t('console.monitor.pk', { user: p.userId }) : p.userId;
          // Co-hosts keep the stage's test ids and stats: these are the stage's players.
          const testId = source.kind === 'own' ? 'monitor-own-player' : source.kind === 'other' ? `monitor-player-${p.userId}` : `cohost-${p.userId}-player`;
          return (
            <div
              key={p.userId}
              className={`monitor-tile monitor-${source.kind}`}
              style={{ left: `${rect.x * 100}%`, top: `${rect.y * 100}%`, width: `${rect.w * 100}%`, height: `${rect.h * 100}%`, zIndex: p.z + 1 }}
              data-testid={`monitor-tile-${p.userId}`}
              data-rect={`${rect.x},${rect.y},${rect.w},${rect.h}`}
              data-kind={source.kind}
            >
              <PlayerView
                url={source.url}
                mode={source.mode}
                muted={source.audio ? source.audio.muted : true}
                volume={source.audio?.volume ?? 1}
                label={name}
                showStats={source.kind === 'guest' || source.kind === 'pk'}
                testId={testId}
              />
              <span className="monitor-label">{name}</span>
            </div>
          );
        })}
      </div>
    </section>
  );
}
