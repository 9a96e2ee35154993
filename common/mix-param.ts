// The `mix` push parameter (spec §4): `key:value` pairs joined by `;`, raw or percent-encoded.
// Known keys: session_id (required for link-mic), layer (b|s), t_id (mix template). Unknown keys
// are kept in order so they round-trip.
import { ValidationError } from './errors';
import { parseSessionId, type SessionId } from './session-id';

export const LAYERS = ['b', 's'] as const;
export type Layer = (typeof LAYERS)[number];

export interface MixParam {
  readonly sessionId?: SessionId;
  readonly layer?: Layer;
  /** Mix template id, a positive integer (1 = PiP bottom right, see mix templates). */
  readonly templateId?: number;
  /** Keys this code does not know, kept as written. */
  readonly extra: ReadonlyArray<readonly [string, string]>;
}

const KEY_PATTERN = /^[A-Za-z0-9_.-]+$/;
const VALUE_PATTERN = /^[^;:]*$/;

function decode(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ValidationError('INVALID_MIX_PARAM', 'mix', 'mix is not valid percent-encoding');
  }
}

/** Parses `mix` as it arrives in a URL query (raw, or percent-encoded once). */
export function parseMixParam(input: string): MixParam {
  const text = decode(input.trim());
  if (text === '') throw new ValidationError('INVALID_MIX_PARAM', 'mix', 'mix is empty');
  let sessionId: SessionId | undefined;
  let layer: Layer | undefined;
  let templateId: number | undefined;
  const extra: Array<readonly [string, string]> = [];
  const seen = new Set<string>();
  for (const part of text.split(';')) {
    if (part === '') continue; // tolerate a trailing ';'
    const colon = part.indexOf(':');
    if (colon <= 0) throw new ValidationError('INVALID_MIX_PARAM', 'mix', `mix entry "${part}" is not key:value`);
    const key = part.slice(0, colon).trim();
    const value = part.slice(colon + 1).trim();
    if (!KEY_PATTERN.test(key)) throw new ValidationError('INVALID_MIX_PARAM', 'mix', `mix key "${key}" is not valid`);
    if (seen.has(key)) throw new ValidationError('INVALID_MIX_PARAM', `mix.${key}`, `mix key ${key} appears twice`);
    seen.add(key);
    switch (key) {
      case 'session_id':
        sessionId = parseSessionId(value, 'mix.session_id');
        break;
      case 'layer':
        if (value !== 'b' && value !== 's') {
          throw new ValidationError('INVALID_MIX_PARAM', 'mix.layer', `mix.layer must be b (big host) or s (small host), got "${value}"`);
        }
        layer = value;
        break;
      case 't_id':
        if (!/^[1-9][0-9]{0,3}$/.test(value)) {
          throw new ValidationError('INVALID_MIX_PARAM', 'mix.t_id', `mix.t_id must be a positive integer, got "${value}"`);
        }
        templateId = Number(value);
        break;
      default:
        if (!VALUE_PATTERN.test(value)) throw new ValidationError('INVALID_MIX_PARAM', `mix.${key}`, `mix.${key} has an invalid value`);
        extra.push([key, value]);
    }
  }
  const result: { sessionId?: SessionId; layer?: Layer; templateId?: number; extra: typeof extra } = { extra };
  if (sessionId !== undefined) result.sessionId = sessionId;
  if (layer !== undefined) result.layer = layer;
  if (templateId !== undefined) result.templateId = templateId;
  return result;
}

/** Formats as the guide writes it: `layer:b;session_id:1234;t_id:1` (known keys first), unencoded. */
export function formatMixParam(mix: Omit<MixParam, 'extra'> & { extra?: MixParam['extra'] }): string {
  const parts: string[] = [];
  if (mix.layer !== undefined) parts.push(`layer:${mix.layer}`);
  if (mix.sessionId !== undefined) parts.push(`session_id:${mix.sessionId}`);
  if (mix.templateId !== undefined) parts.push(`t_id:${mix.templateId}`);
  for (const [key, value] of mix.extra ?? []) parts.push(`${key}:${value}`);
  if (parts.length === 0) throw new ValidationError('INVALID_MIX_PARAM', 'mix', 'mix needs at least one key');
  return parts.join(';');
}
