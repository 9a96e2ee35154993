// Layout: host A switches template in the layout editor; viewer C's client-side mix follows. The
// issue asks for "within a second"; we poll for up to 3 s (generous for a shared 2-core machine)
// and assert only the behaviour, not a timing.
import { expect, test } from './fixtures';
import { expectPlaying, goLive, openScreen } from './helpers/console-page';

test('layout: A switches template and C’s audience view follows', async ({ cluster }) => {
  const a = await cluster.console('hostA');
  const c = await cluster.console('viewerC');
  const roomA = await goLive(a.page);
  await openScreen(a.page, 'layout');
  await expect(a.page.getByTestId('layout-published')).toHaveAttribute('data-template', '1');

  await openScreen(c.page, 'audience');
  await c.page.getByTestId('audience-room-id').fill(roomA);
  await c.page.getByTestId('audience-join').click();
  const tile = c.page.getByTestId(`audience-tile-${a.studio.userId}`);
  await expect(tile).toHaveAttribute('data-rect', '0,0,1,1');
  await expectPlaying(c.page.getByTestId(`audience-player-${a.studio.userId}`), 'C watches A');
  await cluster.shot(c.page, '01-c-pip');

  await a.page.getByTestId('template-2').click();
  await expect(a.page.getByTestId('layout-published')).toHaveAttribute('data-template', '2');
  await expect(c.page.getByTestId('audience-mix')).toHaveAttribute('data-template', '2', { timeout: 3000 });
  await expect(tile).toHaveAttribute('data-rect', '0,0,0.5,1', { timeout: 3000 });
  await cluster.shot(a.page, '02-a-side-by-side');
  await cluster.shot(c.page, '03-c-follows');

  // Keyboard: move A's picture right with the arrow keys; C follows again.
  await a.page.getByTestId(`layout-rect-${a.studio.userId}`).focus();
  await a.page.keyboard.press('ArrowRight');
  await a.page.keyboard.press('ArrowRight');
  await expect(tile).toHaveAttribute('data-rect', '0.04,0,0.5,1', { timeout: 3000 });
  await cluster.shot(c.page, '04-c-follows-keyboard-move');
});
