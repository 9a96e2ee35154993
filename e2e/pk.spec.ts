// Cross-room PK between two consoles: host A invites host B, B accepts, each console plays the
// other's stream over the low-latency URL, A ends the PK and both return to solo.
import { expect, test } from './fixtures';
import { expectPlaying, goLive, openScreen } from './helpers/console-page';

test('PK: A invites B, B accepts, each plays the other, A ends it and both are solo again', async ({ cluster }) => {
  const a = await cluster.console('hostA');
  const b = await cluster.console('hostB');
  await goLive(a.page);
  const roomB = await goLive(b.page);
  await expectPlaying(a.page.getByTestId('preview'), 'A previews its own stream');
  await cluster.shot(a.page, '01-a-live');

  await openScreen(a.page, 'pk');
  await a.page.getByTestId('pk-room-id').fill(roomB);
  await a.page.getByTestId('pk-invite').click();
  await expect(a.page.getByTestId('pk-outgoing')).toBeVisible();
  await expect(a.page.getByTestId('pk-countdown')).toContainText(/\d+ s left/);
  await cluster.shot(a.page, '02-a-invite-pending');

  await expect(b.page.getByTestId('tab-pk').locator('.badge')).toHaveText('1');
  await openScreen(b.page, 'pk');
  await expect(b.page.getByTestId('pk-incoming')).toContainText(a.studio.userId);
  await cluster.shot(b.page, '03-b-invite-received');
  await b.page.getByTestId('pk-accept').click();

  await expect(a.page.getByTestId('pk-in-progress')).toHaveAttribute('data-peer', b.studio.userId);
  await expect(b.page.getByTestId('pk-in-progress')).toHaveAttribute('data-peer', a.studio.userId);
  await expectPlaying(a.page.getByTestId(`cohost-${b.studio.userId}-player`), 'A plays B');
  await expectPlaying(b.page.getByTestId(`cohost-${a.studio.userId}-player`), 'B plays A');
  await expect(a.page.getByTestId(`cohost-${b.studio.userId}-player-latency`)).toHaveText(/\d+ ms/);
  await expect(a.page.getByTestId(`cohost-${b.studio.userId}-player`), 'A hears B: the audio output is the clock').toHaveAttribute('data-clock', 'audio');
  await cluster.shot(a.page, '04-a-in-pk');
  await cluster.shot(b.page, '05-b-in-pk');

  await a.page.getByTestId('end-pk').click();
  for (const side of [a, b]) {
    await expect(side.page.getByTestId('pk-solo')).toBeVisible();
    await expect(side.page.getByTestId('stage').locator('[data-testid^="cohost-"]')).toHaveCount(0);
  }
  await expect(b.page.getByTestId('notice').filter({ hasText: 'The PK ended' })).toBeVisible();
  await cluster.shot(b.page, '06-b-solo-again');
});
