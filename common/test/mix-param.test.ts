import { describe, expect, it } from 'vitest';
import { formatMixParam, parseMixParam } from '../mix-param';
import { ValidationError } from '../errors';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return undefined;
}

describe('mix parameter (spec §4)', () => {
  it('parses the guide examples', () => {
    expect(parseMixParam('session_id:1234')).toEqual({ sessionId: 1234, extra: [] });
    expect(parseMixParam('layer:b;session_id:1234;t_id:1')).toEqual({ layer: 'b', sessionId: 1234, templateId: 1, extra: [] });
    expect(parseMixParam('layer:s;session_id:1234;t_id:1')).toMatchObject({ layer: 's' });
  });

  it('accepts the value percent-encoded', () => {
    expect(parseMixParam('layer%3Ab%3Bsession_id%3A1234%3Bt_id%3A1')).toEqual({ layer: 'b', sessionId: 1234, templateId: 1, extra: [] });
    expect(parseMixParam(encodeURIComponent('session_id:42'))).toEqual({ sessionId: 42, extra: [] });
  });

  it('keeps unknown keys in order so they round-trip', () => {
    const parsed = parseMixParam('session_id:5;zone:eu;layer:s;v:2');
    expect(parsed.extra).toEqual([
      ['zone', 'eu'],
      ['v', '2'],
    ]);
    expect(formatMixParam(parsed)).toBe('layer:s;session_id:5;zone:eu;v:2');
    expect(parseMixParam(formatMixParam(parsed))).toEqual(parsed);
  });

  it('names the key when a value is bad', () => {
    expect(fieldOf(() => parseMixParam('session_id:0'))).toBe('mix.session_id');
    expect(fieldOf(() => parseMixParam('session_id:abc'))).toBe('mix.session_id');
    expect(fieldOf(() => parseMixParam('session_id:1;layer:x'))).toBe('mix.layer');
    expect(fieldOf(() => parseMixParam('session_id:1;t_id:0'))).toBe('mix.t_id');
    expect(fieldOf(() => parseMixParam('session_id:1;t_id:one'))).toBe('mix.t_id');
    expect(fieldOf(() => parseMixParam('session_id:1;session_id:2'))).toBe('mix.session_id');
    expect(fieldOf(() => parseMixParam('session_id'))).toBe('mix');
    expect(fieldOf(() => parseMixParam(''))).toBe('mix');
    expect(fieldOf(() => parseMixParam('%E0%A4%A'))).toBe('mix');
  });

  it('refuses to format an empty mix', () => {
    expect(() => formatMixParam({})).toThrow(ValidationError);
  });
});
