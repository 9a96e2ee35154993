import { describe, expect, it } from 'vitest';
import { LIP_SYNC_MAX_LEAD_MS, pictureShowTs } from '../media/lip-sync';

describe('lip sync of the link player', () => {
  it('holds a picture that is ready early until at most 20 ms before its sound is heard', () => {
    expect(LIP_SYNC_MAX_LEAD_MS).toBe(20);
    // The picture's own target would show media 100 ms ahead of what is heard.
    expect(pictureShowTs(10_000, 10_100)).toBe(10_020);
  });

  it('keeps the picture inside the ±45 ms lip-sync window whatever the audio buffer holds', () => {
    for (const audioAheadOfVideo of [0, 30, 90, 200, 600]) {
      const heard = 50_000;
      const lead = pictureShowTs(heard, heard + audioAheadOfVideo) - heard;
      expect(lead).toBeGreaterThanOrEqual(0);
      expect(lead).toBeLessThanOrEqual(45);
    }
  });

  it('shows the picture on its own target when that is already within the lead', () => {
    expect(pictureShowTs(10_000, 10_012)).toBe(10_012);
  });

  it('never holds a late picture behind its sound: it shows the picture of the sound being heard', () => {
    expect(pictureShowTs(10_000, 9_940)).toBe(10_000);
  });

  it('takes another lead for A/B runs (the 120 ms of the player before)', () => {
    expect(pictureShowTs(10_000, 10_300, 120)).toBe(10_120);
  });
});
