// Same-room link-mic: viewer C watches host A, asks to link, A accepts; C's push goes live as small
// host, A plays C, C plays A over the low-latency URL; A kicks C and C is back to watching.
import { expect, test } from './fixtures';
import { expectPlaying, goLive, openScreen } from './helpers/console-page';

test('same room: C requests, A accepts, both play each other, A kicks C and C watches again', async ({ cluster }) => {
  const a = await cluster.console('hostA');
  const c = await cluster.console('viewerC');
  const roomA = await goLive(a.page);

  await openScreen(c.page, 'audience');
  await c.page.getByTestId('audience-room-id').fill(roomA);
  await c.page.getByTestId('audience-join').click();
  const hostTile = c.page.getByTestId(`audience-player-${a.studio.userId}`);
  await expect(hostTile).toHaveAttribute('data-mode', 'audience');
  await expectPlaying(hostTile, 'C watches A (audience, 1 s)');
  await cluster.shot(c.page, '01-c-watching');

  await c.page.getByTestId('audience-request-link').click();
  await expect(c.page.getByTestId('audience-requested')).toBeVisible();
  await openScreen(a.page, 'linkmic');
  await expect(a.page.getByTestId(`request-${c.studio.userId}`)).toBeVisible();
  await cluster.shot(a.page, '02-a-request-queued');
  await a.page.getByTestId(`request-${c.studio.userId}`).getByTestId('accept-request').click();

  // C becomes a small host without restarting: its push goes live, A's picture switches to low latency.
  await expect(c.page.getByTestId('audience-linked')).toBeVisible();
  await expect(c.page.getByTestId('live-badge')).toHaveAttribute('data-status', 'live', { timeout: 60_000 });
  await expect(c.page.getByTestId('role')).toHaveAttribute('data-role', 'small');
  await expect(hostTile).toHaveAttribute('data-mode', 'link');
  await expectPlaying(hostTile, 'C plays A over the low-latency URL');
  await expectPlaying(a.page.getByTestId(`cohost-${c.studio.userId}-player`), 'A plays C');
  await cluster.shot(a.page, '03-a-with-guest');
  await cluster.shot(c.page, '04-c-on-stage');

  await a.page.getByTestId(`cohost-${c.studio.userId}-kick`).click();
  await expect(a.page.getByTestId(`cohost-${c.studio.userId}`)).toHaveCount(0);
  await expect(c.page.getByTestId('notice').filter({ hasText: 'back to watching' })).toBeVisible();
  await expect(c.page.getByTestId('audience-request-link')).toBeVisible();
  await expect(c.page.getByTestId('live-badge')).toHaveAttribute('data-status', 'offline');
  await expect(hostTile).toHaveAttribute('data-mode', 'audience');
  await expectPlaying(hostTile, 'C watches A again');
  await cluster.shot(c.page, '05-c-back-to-watching');
});
