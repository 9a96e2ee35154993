// The link quota (spec: at most 3 low-latency links per session_id by default): the one source of
// its default and ceiling for the origin's admission, signalling's guest limits, the hooks, the CLI,
// the studio's settings and the console's text.
import { z } from 'zod';

/** Low-latency links per session_id unless the operator says otherwise. */
export const DEFAULT_LINK_QUOTA = 3;
/** The most an operator may allow (the layouts hold a big host, 8 guests and a PK peer). */
export const MAX_LINK_QUOTA = 8;

/** A link quota or a room's guest limit: an integer 1..MAX_LINK_QUOTA. */
export const linkQuotaSchema = z.number().int().min(1).max(MAX_LINK_QUOTA);

/** A room's guest limit: 0 (no guests) up to MAX_LINK_QUOTA; signalling also keeps it within the server's quota. */
export const guestLimitSchema = z.number().int().min(0).max(MAX_LINK_QUOTA);

export function isValidLinkQuota(value: unknown): value is number {
  return linkQuotaSchema.safeParse(value).success;
}
