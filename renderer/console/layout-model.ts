// Who belongs in our room's layout and how a layout changes: templates, moves and resizes in
// normalised (0..1) coordinates, and keeping the layout in step with who is on stage.
import { defaultLayout, TEMPLATE_CAPACITY, type Layout, type LayoutTemplateId, type Rect } from '../../common/layout';
import type { StudioState } from '../../common/studio-api';

export interface Participant {
  readonly userId: string;
  readonly streamCode: string;
}

/** Our room's people in template order: us (big host), the PK opponent, then linked guests. */
export function roomParticipants(state: StudioState): Participant[] {
  const room = state.room;
  if (!room) return [];
  const list: Participant[] = [{ userId: state.server.userId, streamCode: room.streamCode }];
  if (state.pk) list.push({ userId: state.pk.peer.userId, streamCode: state.pk.peer.streamCode });
  for (const guest of room.guests) if (!list.some((p) => p.userId === guest.userId)) list.push({ userId: guest.userId, streamCode: guest.streamCode });
  return list;
}

/** The template to use for `count` people: the wanted one if it holds them, else picture-in-picture. */
export function fittingTemplate(wanted: LayoutTemplateId, count: number): LayoutTemplateId {
  return count <= TEMPLATE_CAPACITY[wanted] ? wanted : 1;
}

export function templateLayout(templateId: LayoutTemplateId, participants: readonly Participant[]): Layout {
  return defaultLayout(fittingTemplate(templateId, participants.length), participants);
}

/** The layout `participants` should see, keeping the rectangles of people already placed. */
export function reconcileLayout(current: Layout | null, participants: readonly Participant[], preferredTemplate: LayoutTemplateId): Layout | null {
  if (participants.length === 0) return null;
  const templateId = fittingTemplate(current?.templateId ?? preferredTemplate, participants.length);
  const fresh = defaultLayout(templateId, participants);
  if (!current || current.templateId !== templateId) return fresh;
  const sameSet = current.participants.length === participants.length && participants.every((p) => current.participants.some((c) => c.userId === p.userId && c.streamCode === p.streamCode));
  if (sameSet) return current;
  // Someone joined or left: keep a hand-placed layout only when nobody new needs a slot.
  const joined = participants.some((p) => !current.participants.some((c) => c.userId === p.userId));
  if (joined) return fresh;
  return { templateId, participants: current.participants.filter((c) => participants.some((p) => p.userId === c.userId)) };
}

export function sameLayout(a: Layout | null, b: Layout | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const MIN_SIZE = 0.1;

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/** Moves a rectangle, kept inside the frame. */
export function moveRect(rect: Rect, dx: number, dy: number): Rect {
  return { ...rect, x: round(clamp(rect.x + dx, 0, 1 - rect.w)), y: round(clamp(rect.y + dy, 0, 1 - rect.h)) };
}

/** Resizes from the bottom-right corner, kept inside the frame and at least MIN_SIZE. */
export function resizeRect(rect: Rect, dw: number, dh: number): Rect {
  return { ...rect, w: round(clamp(rect.w + dw, MIN_SIZE, 1 - rect.x)), h: round(clamp(rect.h + dh, MIN_SIZE, 1 - rect.y)) };
}

export function withRect(layout: Layout, userId: string, rect: Rect): Layout {
  return { ...layout, participants: layout.participants.map((p) => (p.userId === userId ? { ...p, rect } : p)) };
}

/** Brings one participant to the top of the stacking order. */
export function raise(layout: Layout, userId: string): Layout {
  const top = Math.max(...layout.participants.map((p) => p.z));
  const target = layout.participants.find((p) => p.userId === userId);
  if (!target || (target.z === top && layout.participants.filter((p) => p.z === top).length === 1)) return layout;
  return { ...layout, participants: layout.participants.map((p) => (p.userId === userId ? { ...p, z: Math.min(99, top + 1) } : p)) };
}
