import { describe, expect, it } from 'vitest';
import { backoffDelayMs, RESTART_BACKOFF } from '../backoff';
import { HARDWARE_ENCODERS, isHardwareEncoderName, SOFTWARE_ENCODER } from '../encoder-kinds';
import { DEFAULT_LINK_QUOTA, guestLimitSchema, isValidLinkQuota, MAX_LINK_QUOTA } from '../link-quota';
import { layoutTemplateIdSchema } from '../layout';
import { MIX_TEMPLATE_IDS, mixTemplateIdSchema } from '../mix-templates';

const DEFAULTS = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 };

describe('the shared rules in common/', () => {
  it('backs off exponentially from the first delay and stops growing at the ceiling', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs({}, DEFAULTS, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads each delay by the jitter fraction, both ways', () => {
    const options = { jitter: 0.5 };
    expect(backoffDelayMs(options, DEFAULTS, 2, () => 0)).toBe(100);
    expect(backoffDelayMs(options, DEFAULTS, 2, () => 0.999999)).toBe(300);
    expect(backoffDelayMs(options, DEFAULTS, 2, () => 0.5)).toBe(200);
  });

  it('lets the caller override each default', () => {
    expect(backoffDelayMs({ initialMs: 10, factor: 3, maxMs: 50 }, DEFAULTS, 3)).toBe(50);
    expect(backoffDelayMs({ initialMs: 10, factor: 3 }, DEFAULTS, 3)).toBe(90);
  });

  it('waits a fixed table of steps when given one, the last step repeating', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs({}, RESTART_BACKOFF, n))).toEqual([200, 500, 1000, 2000, 2000]);
    expect([1, 2, 3, 4].map((n) => backoffDelayMs({ stepsMs: [100, 200, 400] }, RESTART_BACKOFF, n))).toEqual([100, 200, 400, 400]);
  });

  it('keeps the link quota at 3 by default and 8 at most, and guest limits within it', () => {
    expect(DEFAULT_LINK_QUOTA).toBe(3);
    expect(isValidLinkQuota(MAX_LINK_QUOTA)).toBe(true);
    expect(isValidLinkQuota(MAX_LINK_QUOTA + 1)).toBe(false);
    expect(isValidLinkQuota(0)).toBe(false);
    expect(guestLimitSchema.safeParse(0).success).toBe(true);
    expect(guestLimitSchema.safeParse(MAX_LINK_QUOTA + 1).success).toBe(false);
  });

  it('accepts exactly the mix template ids at every boundary', () => {
    for (const id of MIX_TEMPLATE_IDS) expect(mixTemplateIdSchema.safeParse(id).success).toBe(true);
    expect(mixTemplateIdSchema.safeParse(0).success).toBe(false);
    expect(mixTemplateIdSchema.safeParse(MIX_TEMPLATE_IDS.length + 1).success).toBe(false);
    for (const id of MIX_TEMPLATE_IDS) expect(layoutTemplateIdSchema.safeParse(id).success).toBe(true);
    expect(layoutTemplateIdSchema.safeParse(0).success).toBe(false);
    expect(layoutTemplateIdSchema.safeParse(MIX_TEMPLATE_IDS.length + 1).success).toBe(false);
  });

  it('tells hardware encoders from the software one, including families the engine does not drive', () => {
    for (const name of HARDWARE_ENCODERS) expect(isHardwareEncoderName(name)).toBe(true);
    expect(isHardwareEncoderName('hevc_nvenc')).toBe(true);
    expect(isHardwareEncoderName('h264_v4l2m2m')).toBe(true);
    expect(isHardwareEncoderName(SOFTWARE_ENCODER)).toBe(false);
    expect(isHardwareEncoderName('libopenh264')).toBe(false);
  });
});
