// Room layout: which streams an audience sees and where (client-side mix), published by the host and
// broadcast by the signal service. Coordinates are normalised to the output frame (0..1, origin top
// left), so every viewer scales them to its own canvas. Template ids match the server-side mixer's
// `t_id` (spec §7): 1 = big host full frame with guests as picture-in-picture bottom right.
import { z } from 'zod';
import { MAX_LINK_QUOTA } from './link-quota';
import { MIX_TEMPLATE_IDS, type MixTemplateId } from './mix-templates';
import { STREAM_CODE_PATTERN } from './stream-code';

/** Layout templates are the mix templates (common/mix-templates.ts), named for the layout editor. */
export const LAYOUT_TEMPLATES = {
  /** The guide's t_id:1 — big host full frame, guests as PiP tiles in the bottom right corner. */
  PIP_BOTTOM_RIGHT: 1,
  /** Cross-room PK — two hosts side by side, any linked guests as small tiles along the bottom. */
  SIDE_BY_SIDE_PK: 2,
  /** Grid of up to four equal tiles (2x2). */
  GRID_4: 3,
} as const satisfies Record<string, MixTemplateId>;

export type LayoutTemplateId = MixTemplateId;
export const LAYOUT_TEMPLATE_IDS: readonly LayoutTemplateId[] = MIX_TEMPLATE_IDS;

/** Most participants a layout may hold: a big host, up to 8 guests (the link quota's ceiling) and a PK peer. */
export const MAX_LAYOUT_PARTICIPANTS = 1 + MAX_LINK_QUOTA + 1;

/** Most participants per template (the grid has four tiles). */
export const TEMPLATE_CAPACITY: Readonly<Record<LayoutTemplateId, number>> = {
  [LAYOUT_TEMPLATES.PIP_BOTTOM_RIGHT]: MAX_LAYOUT_PARTICIPANTS,
  [LAYOUT_TEMPLATES.SIDE_BY_SIDE_PK]: MAX_LAYOUT_PARTICIPANTS,
  [LAYOUT_TEMPLATES.GRID_4]: 4,
};

const unit = z.number().min(0).max(1);
/** Tolerance for float sums such as 0.7 + 0.3. */
const EPSILON = 1e-9;

export const rectSchema = z
  .object({
    x: unit,
    y: unit,
    w: z.number().gt(0).max(1),
    h: z.number().gt(0).max(1),
  })
  .refine((r) => r.x + r.w <= 1 + EPSILON, { message: 'x + w must not exceed 1', path: ['w'] })
  .refine((r) => r.y + r.h <= 1 + EPSILON, { message: 'y + h must not exceed 1', path: ['h'] });
export type Rect = z.infer<typeof rectSchema>;

export const userIdSchema = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'user id: 1-64 characters of A-Z a-z 0-9 _ . @ -');
export const streamCodeSchema = z.string().regex(STREAM_CODE_PATTERN, 'stream code: 1-128 characters of A-Z a-z 0-9 _ -');

export const layoutParticipantSchema = z.object({
  userId: userIdSchema,
  streamCode: streamCodeSchema,
  rect: rectSchema,
  /** Stacking order: higher is drawn on top. */
  z: z.number().int().min(0).max(99),
  /** Whether the viewer should play this participant's audio (default true). */
  audio: z.boolean().optional(),
});
export type LayoutParticipant = z.infer<typeof layoutParticipantSchema>;

/** One of the mix template ids (common/mix-templates.ts, the one list), each a literal. */
export const layoutTemplateIdSchema = z.union(MIX_TEMPLATE_IDS.map((id) => z.literal(id)));

export const layoutSchema = z
  .object({
    templateId: layoutTemplateIdSchema,
    participants: z.array(layoutParticipantSchema).min(1).max(MAX_LAYOUT_PARTICIPANTS),
  })
  .refine((l) => l.participants.length <= TEMPLATE_CAPACITY[l.templateId], {
    message: 'too many participants for this template',
    path: ['participants'],
  })
  .refine((l) => new Set(l.participants.map((p) => p.userId)).size === l.participants.length, {
    message: 'a participant appears twice',
    path: ['participants'],
  });
export type Layout = z.infer<typeof layoutSchema>;

const MARGIN = 0.02;
/** PiP tile: 30 % of the width; height keeps a small host's 2:3 picture on a big host's 9:16 frame. */
const PIP_W = 0.3;
const PIP_H = (PIP_W * 9 * 3) / (16 * 2);
const PIP_PER_COLUMN = 3;

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function rect(x: number, y: number, w: number, h: number): Rect {
  return { x: round(x), y: round(y), w: round(w), h: round(h) };
}

/**
 * The template's rectangles for `count` participants, in participant order (the first is the
 * room's big host; in a PK the second is the other host).
 */
export function templateGeometry(templateId: LayoutTemplateId, count: number): Rect[] {
  if (!Number.isInteger(count) || count < 1 || count > TEMPLATE_CAPACITY[templateId]) {
    throw new RangeError(`template ${templateId} holds 1..${TEMPLATE_CAPACITY[templateId]} participants, got ${count}`);
  }
  const rects: Rect[] = [];
  switch (templateId) {
    case LAYOUT_TEMPLATES.PIP_BOTTOM_RIGHT: {
      rects.push(rect(0, 0, 1, 1));
      for (let i = 0; i < count - 1; i++) {
        const column = Math.floor(i / PIP_PER_COLUMN);
        const row = i % PIP_PER_COLUMN;
        const x = 1 - MARGIN - PIP_W - column * (PIP_W + MARGIN);
        const y = 1 - MARGIN - PIP_H - row * (PIP_H + MARGIN);
        rects.push(rect(Math.max(0, x), Math.max(0, y), PIP_W, PIP_H));
      }
      break;
    }
    case LAYOUT_TEMPLATES.SIDE_BY_SIDE_PK: {
      rects.push(rect(0, 0, 0.5, count > 2 ? 0.75 : 1));
      if (count > 1) rects.push(rect(0.5, 0, 0.5, count > 2 ? 0.75 : 1));
      const extras = count - 2;
      for (let i = 0; i < extras; i++) {
        const w = 1 / extras;
        rects.push(rect(i * w, 0.75, w, 0.25));
      }
      break;
    }
    case LAYOUT_TEMPLATES.GRID_4: {
      const columns = count === 1 ? 1 : 2;
      const rows = count <= 2 ? 1 : 2;
      for (let i = 0; i < count; i++) {
        rects.push(rect((i % columns) / columns, Math.floor(i / columns) / rows, 1 / columns, 1 / rows));
      }
      break;
    }
  }
  return rects;
}

/** A layout for the template with the participants in order (z: first at the bottom). */
export function defaultLayout(
  templateId: LayoutTemplateId,
  participants: ReadonlyArray<{ readonly userId: string; readonly streamCode: string }>,
): Layout {
  const rects = templateGeometry(templateId, participants.length);
  return {
    templateId,
    participants: participants.map((p, i) => ({ userId: p.userId, streamCode: p.streamCode, rect: rects[i]!, z: i })),
  };
}
