// The link quota: with 3 guests linked into A's room, a 4th request is refused and the console
// says why. The three linked guests are signal-only (no media) to keep the machine free.
import { expect, test } from './fixtures';
import { startFakeGuests } from './helpers/cluster';
import { goLive, openScreen } from './helpers/console-page';

test('quota: with 3 guests linked a 4th request is refused and the console says why', async ({ cluster }) => {
  const a = await cluster.console('hostA');
  const roomA = await goLive(a.page);
  const guests = await startFakeGuests(cluster.server, roomA, 3);
  try {
    await openScreen(a.page, 'linkmic');
    for (const userId of guests.userIds) {
      const request = a.page.getByTestId(`request-${userId}`);
      await request.getByTestId('accept-request').click();
      await expect(a.page.getByTestId(`guest-${userId}`)).toBeVisible();
    }
    await expect(a.page.getByTestId('guest-list').locator('li')).toHaveCount(3);
    await cluster.shot(a.page, '01-a-three-guests');

    const d = await cluster.console('viewerD');
    await openScreen(d.page, 'audience');
    await d.page.getByTestId('audience-room-id').fill(roomA);
    await d.page.getByTestId('audience-join').click();
    await d.page.getByTestId('audience-request-link').click();
    const refusal = d.page.locator('[data-testid="notice"][data-code="GUEST_LIMIT_REACHED"]');
    await expect(refusal).toBeVisible();
    await expect(refusal).toContainText('quota is full');
    await expect(refusal).toContainText('3 co-hosts');
    await expect(d.page.getByTestId('audience-requested')).toHaveCount(0);
    await cluster.shot(d.page, '02-d-refused');

    // The same console in Simplified Chinese.
    await d.page.getByTestId('language').selectOption('zh-CN');
    await expect(d.page.getByTestId('tab-golive')).toHaveText('开播');
    await d.page.getByTestId('audience-request-link').click();
    await expect(d.page.locator('[data-testid="notice"][data-code="GUEST_LIMIT_REACHED"]').filter({ hasText: '连麦名额已满' })).toBeVisible();
    await cluster.shot(d.page, '03-d-refused-zh');
  } finally {
    await guests.stop();
  }
});
