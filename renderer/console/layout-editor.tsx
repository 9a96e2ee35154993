// The layout editor: our picture and each co-host's as rectangles on the output frame (9:16), to
// drag and resize with the mouse or the keyboard; templates "picture-in-picture bottom right"
// (t_id 1), "side-by-side PK" (2) and "grid" (3). Every change goes out as the room's layout and
// the audiences' client-side mix follows it. The boxes are an overlay on the program monitor's live
// pictures (program-monitor.tsx), which moves into the editor's frame while the screen is open.
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { LAYOUT_TEMPLATE_IDS, LAYOUT_TEMPLATES, type Layout, type LayoutTemplateId, type Rect } from '../../common/layout';
import type { MessageKey } from '../../common/i18n';
import { useI18n } from './i18n-context';
import { useAction } from './notices';
import { MonitorSlot, useMonitorDraft } from './program-monitor';
import { useStudio } from './studio-session';
import { moveRect, raise, resizeRect, roomParticipants, sameLayout, templateLayout, withRect } from './layout-model';

export const TEMPLATE_NAMES: Record<LayoutTemplateId, MessageKey> = { 1: 'console.layout.pip', 2: 'console.layout.pk', 3: 'console.layout.grid' };

const KEY_STEP = 0.02;

export function LayoutEditor({ active = true }: { active?: boolean }) {
  const { api, state } = useStudio();
  const { t, number } = useI18n();
  const run = useAction();
  const room = state.room;
  const published = room?.layout ?? null;
  const [draft, setDraft] = useState<Layout | null>(published);
  const dragging = useRef<{ userId: string; mode: 'move' | 'resize'; startX: number; startY: number; rect: Rect } | null>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const sendTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // The monitor under the boxes draws the draft, so a picture moves with its box.
  useMonitorDraft(room ? draft : null, active);

  // Follow the published layout unless a drag is in progress.
  useEffect(() => {
    if (!dragging.current) setDraft(published);
  }, [published]);

  if (!room) {
    return (
      <section className="card">
        <p className="muted" data-testid="layout-need-room">
          {t('console.layout.needRoom')}
        </p>
      </section>
    );
  }

  const participants = roomParticipants(state);
  const send = (layout: Layout) => {
    if (sameLayout(layout, published)) return;
    void run(() => api.setLayout({ layout }));
  };
  const sendSoon = (layout: Layout) => {
    if (sendTimer.current) clearTimeout(sendTimer.current);
    sendTimer.current = setTimeout(() => send(layout), 300);
  };
  const chooseTemplate = (templateId: LayoutTemplateId) => {
    const layout = templateLayout(templateId, participants);
    setDraft(layout);
    send(layout);
  };

  const onPointerDown = (event: PointerEvent<HTMLElement>, userId: string, mode: 'move' | 'resize') => {
    if (!draft) return;
    const participant = draft.participants.find((p) => p.userId === userId);
    if (!participant) return;
    event.preventDefault();
    event.stopPropagation();
    (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
    dragging.current = { userId, mode, startX: event.clientX, startY: event.clientY, rect: participant.rect };
    setDraft(raise(draft, userId));
  };
  const onPointerMove = (event: PointerEvent<HTMLElement>) => {
    const drag = dragging.current;
    const frame = frameRef.current;
    if (!drag || !frame || !draft) return;
    const box = frame.getBoundingClientRect();
    const dx = (event.clientX - drag.startX) / box.width;
    const dy = (event.clientY - drag.startY) / box.height;
    const rect = drag.mode === 'move' ? moveRect(drag.rect, dx, dy) : resizeRect(drag.rect, dx, dy);
    setDraft(withRect(draft, drag.userId, rect));
  };
  const onPointerUp = () => {
    if (!dragging.current) return;
    dragging.current = null;
    if (draft) send(draft);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLElement>, userId: string) => {
    if (!draft) return;
    const delta: Record<string, [number, number]> = { ArrowLeft: [-KEY_STEP, 0], ArrowRight: [KEY_STEP, 0], ArrowUp: [0, -KEY_STEP], ArrowDown: [0, KEY_STEP] };
    const step = delta[event.key];
    if (!step) return;
    event.preventDefault();
    const participant = draft.participants.find((p) => p.userId === userId);
    if (!participant) return;
    const rect = event.shiftKey ? resizeRect(participant.rect, step[0], step[1]) : moveRect(participant.rect, step[0], step[1]);
    const next = withRect(draft, userId, rect);
    setDraft(next);
    sendSoon(next);
  };

  const percent = (value: number) => number(Math.round(value * 100));
  const hostId = state.server.userId;
  return (
    <div className="layout-editor">
      <section className="card" aria-labelledby="templates-title">
        <h2 id="templates-title">{t('console.layout.templates')}</h2>
        <div className="template-buttons" role="group" aria-labelledby="templates-title">
          {LAYOUT_TEMPLATE_IDS.map((id) => (
            <button
              key={id}
              type="button"
              className={`template-btn ${draft?.templateId === id ? 'is-selected' : ''}`}
              aria-pressed={draft?.templateId === id}
              onClick={() => chooseTemplate(id)}
              data-testid={`template-${id}`}
            >
              <TemplateIcon templateId={id} />
              {t(TEMPLATE_NAMES[id])}
            </button>
          ))}
        </div>
        <p className="muted">{t('console.layout.hint')}</p>
        {published ? (
          <p data-testid="layout-published" data-template={published.templateId}>
            {t('console.layout.current', { template: t(TEMPLATE_NAMES[published.templateId]) })}
          </p>
        ) : null}
      </section>
      <div className="layout-frame" ref={frameRef} data-testid="layout-frame" onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={onPointerUp}>
        <MonitorSlot active={active} priority={1} className="layout-monitor" />
        {draft?.participants.map((p) => (
          <div
            key={p.userId}
            className={`layout-rect ${p.userId === hostId ? 'is-host' : ''}`}
            style={{ left: `${p.rect.x * 100}%`, top: `${p.rect.y * 100}%`, width: `${p.rect.w * 100}%`, height: `${p.rect.h * 100}%`, zIndex: p.z + 1 }}
            tabIndex={0}
            role="button"
            aria-roledescription="layout picture"
            aria-label={t('console.layout.item', { user: p.userId === hostId ? t('console.layout.host', { user: p.userId }) : p.userId, x: percent(p.rect.x), y: percent(p.rect.y), w: percent(p.rect.w), h: percent(p.rect.h) })}
            onPointerDown={(e) => onPointerDown(e, p.userId, 'move')}
            onKeyDown={(e) => onKeyDown(e, p.userId)}
            data-testid={`layout-rect-${p.userId}`}
          >
            <span className="layout-rect-label">{p.userId === hostId ? t('console.layout.host', { user: p.userId }) : p.userId}</span>
            <span className="layout-rect-handle" aria-hidden="true" onPointerDown={(e) => onPointerDown(e, p.userId, 'resize')} />
          </div>
        ))}
      </div>
    </div>
  );
}

function TemplateIcon({ templateId }: { templateId: LayoutTemplateId }) {
  const rects: Rect[] =
    templateId === LAYOUT_TEMPLATES.PIP_BOTTOM_RIGHT
      ? [
          { x: 0, y: 0, w: 1, h: 1 },
          { x: 0.6, y: 0.68, w: 0.34, h: 0.28 },
        ]
      : templateId === LAYOUT_TEMPLATES.SIDE_BY_SIDE_PK
        ? [
            { x: 0, y: 0, w: 0.5, h: 1 },
            { x: 0.5, y: 0, w: 0.5, h: 1 },
          ]
        : [
            { x: 0, y: 0, w: 0.5, h: 0.5 },
            { x: 0.5, y: 0, w: 0.5, h: 0.5 },
            { x: 0, y: 0.5, w: 0.5, h: 0.5 },
            { x: 0.5, y: 0.5, w: 0.5, h: 0.5 },
          ];
  return (
    <svg className="template-icon" viewBox="0 0 18 32" aria-hidden="true">
      {rects.map((r, i) => (
        <rect key={i} x={r.x * 18 + 0.5} y={r.y * 32 + 0.5} width={r.w * 18 - 1} height={r.h * 32 - 1} rx={1} />
      ))}
    </svg>
  );
}
