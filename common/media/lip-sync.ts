// Lip sync of the link player: which picture to show while a given sound is heard (pure).
//
// The picture waits for its sound. A picture usually arrives and decodes sooner than its audio
// can be heard (the audio buffer is sized for audio's worse arrival jitter, and the audio output
// adds its own latency), so on its own jitter buffer it would be shown ahead of its sound. It is
// held until at most `maxLeadMs` before its sound is heard; a picture that is late is shown when
// it comes (never held behind its sound). Until 2026-12 the link player let pictures lead by up to
// 120 ms, which is visible (lip-sync errors above ~45 ms of picture lead are).

/** How far a picture may be shown ahead of its sound (ms): within the ±45 ms aim, rendering at
 *  display refresh (≤ 17 ms later than asked) included. */
export const LIP_SYNC_MAX_LEAD_MS = 20;

/**
 * The media time of the picture to show now. `heardTs`: the media time of the sound being heard
 * (read head minus output latency); `ownTs`: the newest the picture could show on its own jitter
 * target behind the live edge.
 */
export function pictureShowTs(heardTs: number, ownTs: number, maxLeadMs = LIP_SYNC_MAX_LEAD_MS): number {
  return heardTs + Math.max(0, Math.min(maxLeadMs, ownTs - heardTs));
}
