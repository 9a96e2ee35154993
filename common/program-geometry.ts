// Where each party sits in the program (what the audience sees): the one rule the server-side mix,
// the console's program monitor and the layout editor share. A client-side mix draws the room's
// layout as published (hand-placed rectangles and z-order); a server-side mix draws the template's
// rectangles in party order (first = the big host), and a party alone fills the frame whatever
// the template (template 2 would otherwise leave the right half black until a PK peer arrives).
import { templateGeometry, TEMPLATE_CAPACITY, type Layout, type LayoutParticipant, type LayoutTemplateId, type Rect } from './layout';

const FULL: Rect = { x: 0, y: 0, w: 1, h: 1 };

/** Normalised rectangles of a server-side mix of `count` parties, at most the template's capacity. */
export function mixRects(templateId: LayoutTemplateId, count: number): Rect[] {
  const n = Math.min(count, TEMPLATE_CAPACITY[templateId]);
  if (n <= 1) return [FULL];
  return templateGeometry(templateId, n);
}

/**
 * The program's boxes for a room's layout: the layout itself under a client-side mix
 * (`serverMixTemplate` null), else the server mix's template rectangles in layout order. Parties
 * beyond the server template's capacity are not in the program.
 */
export function programBoxes(layout: Layout, serverMixTemplate: LayoutTemplateId | null): LayoutParticipant[] {
  if (serverMixTemplate === null) return layout.participants.map((p) => ({ ...p }));
  const rects = mixRects(serverMixTemplate, layout.participants.length);
  return layout.participants.slice(0, rects.length).map((p, i) => ({ ...p, rect: rects[i]!, z: i }));
}
