// Failure: the link-mic server stops in the middle of a PK; both consoles say so in a sentence and
// recover (signed in, live again) when it comes back on the same ports.
import { expect, test } from './fixtures';
import { goLive, openScreen } from './helpers/console-page';

test('failure: the server stops mid-PK, both consoles say so and recover when it returns', async ({ cluster }) => {
  const a = await cluster.console('hostA');
  const b = await cluster.console('hostB');
  await goLive(a.page);
  const roomB = await goLive(b.page);
  await openScreen(a.page, 'pk');
  await openScreen(b.page, 'pk');
  await a.page.getByTestId('pk-room-id').fill(roomB);
  await a.page.getByTestId('pk-invite').click();
  await b.page.getByTestId('pk-accept').click();
  await expect(a.page.getByTestId('pk-in-progress')).toBeVisible();
  await expect(b.page.getByTestId('pk-in-progress')).toBeVisible();

  await cluster.server.stop();
  for (const [side, name] of [
    [a, 'a'],
    [b, 'b'],
  ] as const) {
    const banner = side.page.getByTestId('server-banner');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('cannot be reached');
    await expect(side.page.getByTestId('live-badge')).not.toHaveAttribute('data-status', 'live');
    await cluster.shot(side.page, `01-${name}-server-down`);
  }

  await cluster.server.start();
  for (const [side, name] of [
    [a, 'a'],
    [b, 'b'],
  ] as const) {
    await expect(side.page.getByTestId('server-banner')).toHaveCount(0, { timeout: 45_000 });
    await expect(side.page.getByTestId('server-dot')).toHaveAttribute('data-signal', 'connected');
    await expect(side.page.getByTestId('live-badge')).toHaveAttribute('data-status', 'live', { timeout: 60_000 });
    await expect(side.page.getByTestId('pk-solo')).toBeVisible();
    await cluster.shot(side.page, `02-${name}-recovered`);
  }
});
