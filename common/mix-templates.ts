// Server-side mix templates (`t_id` in the `mix` push parameter, spec §4 and §7). The one list of
// template ids the origin accepts; the mixer and the layout editor read the same constant.
import { z } from 'zod';
import { ValidationError } from './errors';

export const MIX_TEMPLATES = Object.freeze({
  /** The big host full frame, the small host as a picture-in-picture at the bottom right. */
  1: 'pip',
  /** Two hosts side by side (cross-room PK). */
  2: 'side-by-side',
  /** Up to four hosts in a grid. */
  3: 'grid',
} as const);

export type MixTemplateId = keyof typeof MIX_TEMPLATES;
export type MixTemplateName = (typeof MIX_TEMPLATES)[MixTemplateId];

/** The template ids a push may name in `mix=…;t_id:N`. */
export const MIX_TEMPLATE_IDS: readonly MixTemplateId[] = Object.freeze([1, 2, 3] as const);

/** A template id at a boundary (signalling, the StudioApi, settings). */
export const mixTemplateIdSchema = z.number().int().min(1).max(MIX_TEMPLATE_IDS.length);

export function isMixTemplateId(value: unknown): value is MixTemplateId {
  return typeof value === 'number' && (MIX_TEMPLATE_IDS as readonly number[]).includes(value);
}

/** Throws INVALID_TEMPLATE (naming `field`) unless `value` is a known template id. */
export function assertMixTemplateId(value: unknown, field = 'mix.t_id'): MixTemplateId {
  if (!isMixTemplateId(value)) {
    throw new ValidationError('INVALID_TEMPLATE', field, `${field} must be one of ${MIX_TEMPLATE_IDS.join(', ')}, got ${String(value)}`);
  }
  return value;
}
