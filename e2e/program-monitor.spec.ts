// The program monitor (issue #14): host A goes live and links viewer C. A's console shows, on the
// main screen, the live composite — A's own picture and C's — at the room layout's rectangles, with
// a LIVE badge and the mix kind; C's box holds C's moving picture. In the layout editor the same
// monitor (same players, no reconnect) lies under the draggable boxes, and moving C's box (keys,
// then a mouse drag, followed during the drag) moves C in the monitor; the stage keeps the result.
// Screenshots in English and Simplified Chinese.
import { templateGeometry, type Rect } from '../common/layout';
import { expect, test } from './fixtures';
import { expectPlacedAt, expectPlaying, goLive, openScreen } from './helpers/console-page';

function parseRect(value: string | null): Rect {
  const [x, y, w, h] = (value ?? '').split(',').map(Number);
  return { x: x!, y: y!, w: w!, h: h! };
}

test('program monitor: A live with guest C shows both live pictures in the layout; moving C in the editor moves C in the monitor', async ({ cluster }) => {
  const a = await cluster.console('hostA');
  const c = await cluster.console('viewerC');
  const hostId = a.studio.userId;
  const guestId = c.studio.userId;
  const roomA = await goLive(a.page);

  // Live alone: the monitor is on the main screen with the LIVE badge and the mix kind.
  const monitor = a.page.getByTestId('stage').getByTestId('program-monitor');
  await expect(monitor).toBeVisible();
  await expect(monitor.getByTestId('monitor-live')).toHaveAttribute('data-live', 'true');
  await expect(monitor.getByTestId('monitor-live')).toHaveText('LIVE');
  await expect(monitor.getByTestId('monitor-mix')).toHaveText('Client-side mix');

  // C links in as a small host.
  await openScreen(c.page, 'audience');
  await c.page.getByTestId('audience-room-id').fill(roomA);
  await c.page.getByTestId('audience-join').click();
  await c.page.getByTestId('audience-request-link').click();
  await openScreen(a.page, 'linkmic');
  await a.page.getByTestId(`request-${guestId}`).getByTestId('accept-request').click();
  await expect(c.page.getByTestId('live-badge')).toHaveAttribute('data-status', 'live', { timeout: 60_000 });

  // Two boxes, at the layout's rectangles (picture-in-picture: A full frame, C bottom right).
  const frame = monitor.getByTestId('monitor-frame');
  await expect(frame.locator('[data-testid^="monitor-tile-"]')).toHaveCount(2, { timeout: 20_000 });
  const [hostRect, guestRect] = templateGeometry(1, 2);
  const hostTile = frame.getByTestId(`monitor-tile-${hostId}`);
  const guestTile = frame.getByTestId(`monitor-tile-${guestId}`);
  await expect(hostTile).toHaveAttribute('data-rect', `${hostRect!.x},${hostRect!.y},${hostRect!.w},${hostRect!.h}`);
  await expect(guestTile).toHaveAttribute('data-rect', `${guestRect!.x},${guestRect!.y},${guestRect!.w},${guestRect!.h}`);
  await expectPlacedAt(hostTile, frame, hostRect!, 'A in the monitor');
  await expectPlacedAt(guestTile, frame, guestRect!, 'C in the monitor');
  await expect(guestTile).toContainText(guestId);
  await expect(hostTile).toContainText(hostId);

  // The pictures are live: A's own stream and, inside C's box, C's stream (drawn, advancing, not blank).
  await expectPlaying(hostTile.getByTestId('monitor-own-player'), 'A’s own picture in the monitor');
  await expectPlaying(guestTile.getByTestId(`cohost-${guestId}-player`), 'C’s picture in C’s box');
  // The same player wherever the monitor is shown (the stage, then the layout editor).
  const guestPlayer = a.page.getByTestId(`cohost-${guestId}-player`);
  await cluster.shot(a.page, '01-monitor-on-stage-en');

  // The layout editor: the same monitor (its players keep counting frames: no new connection)
  // under the draggable boxes; the stage says where it went.
  const framesBefore = Number(await guestPlayer.getAttribute('data-frames'));
  await openScreen(a.page, 'layout');
  const editorFrame = a.page.getByTestId('layout-frame');
  await expect(editorFrame.getByTestId('program-monitor')).toBeVisible();
  await expect(a.page.getByTestId('program-monitor')).toHaveCount(1);
  await expect(a.page.getByTestId('monitor-in-editor')).toBeVisible();
  const editorGuestTile = editorFrame.getByTestId(`monitor-tile-${guestId}`);
  await expect.poll(async () => Number(await guestPlayer.getAttribute('data-frames')), { message: 'C’s player keeps drawing after the move', timeout: 20_000 }).toBeGreaterThan(framesBefore);
  await expectPlaying(editorGuestTile.getByTestId(`cohost-${guestId}-player`), 'C’s picture under the editor’s box');
  const box = a.page.getByTestId(`layout-rect-${guestId}`);
  await expectPlacedAt(box, editorFrame, guestRect!, 'C’s editor box lies on C’s picture');

  // Move C's box two steps left with the keyboard: C moves in the monitor too.
  await box.focus();
  await a.page.keyboard.press('ArrowLeft');
  await a.page.keyboard.press('ArrowLeft');
  await expect.poll(async () => parseRect(await editorGuestTile.getAttribute('data-rect')).x, { message: 'C moves left in the monitor', timeout: 5000 }).toBeCloseTo(guestRect!.x - 0.04, 4);
  const moved = parseRect(await editorGuestTile.getAttribute('data-rect'));
  await expectPlacedAt(editorGuestTile, editorFrame, moved, 'C’s picture at its new place');
  await expectPlacedAt(box, editorFrame, moved, 'C’s editor box over its picture');

  // Drag C's box with the mouse: C's picture follows the box during the drag, before it is published.
  const start = (await box.boundingBox())!;
  const frameBox = (await editorFrame.boundingBox())!;
  await a.page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
  await a.page.mouse.down();
  await a.page.mouse.move(start.x + start.width / 2 - frameBox.width * 0.2, start.y + start.height / 2 - frameBox.height * 0.2, { steps: 5 });
  await expect.poll(async () => parseRect(await editorGuestTile.getAttribute('data-rect')).y, { message: 'C moves up in the monitor while dragging', timeout: 5000 }).toBeLessThan(moved.y - 0.1);
  const dragged = parseRect(await editorGuestTile.getAttribute('data-rect'));
  await expectPlacedAt(box, editorFrame, dragged, 'C’s editor box under the pointer, over its picture');
  await a.page.mouse.up();
  await expect(a.page.getByTestId('layout-published')).toBeVisible();
  await cluster.shot(a.page, '02-layout-editor-en');

  // Simplified Chinese.
  await a.page.getByTestId('language').selectOption('zh-CN');
  await expect(a.page.getByTestId('monitor-live')).toHaveText('直播中');
  await expect(a.page.getByTestId('monitor-mix')).toHaveText('客户端合流');
  await cluster.shot(a.page, '03-layout-editor-zh-CN');
  await openScreen(a.page, 'golive');
  await expect(a.page.getByTestId('stage').getByTestId('program-monitor')).toBeVisible();
  await expect(a.page.getByTestId('stage').getByTestId(`monitor-tile-${guestId}`)).toHaveAttribute('data-rect', `${dragged.x},${dragged.y},${dragged.w},${dragged.h}`);
  await cluster.shot(a.page, '04-monitor-on-stage-zh-CN');
});
