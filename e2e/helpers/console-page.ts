// What a spec does with a console page: open a screen, go live, check that a player really plays
// (its drawn-frame count and media time advance, and the canvas is not blank), and that a program
// monitor tile lies at its layout rectangle.
import { expect, type Locator, type Page } from '@playwright/test';
import type { Rect } from '../../common/layout';

export type Screen = 'golive' | 'linkmic' | 'pk' | 'layout' | 'audience';

export async function openScreen(page: Page, screen: Screen): Promise<void> {
  await page.getByTestId(`tab-${screen}`).click();
  await expect(page.getByTestId(`panel-${screen}`)).toBeVisible();
}

/** Goes live as big host and waits until the push is live; returns the room id. */
export async function goLive(page: Page): Promise<string> {
  await openScreen(page, 'golive');
  await page.getByTestId('go-live').click();
  await expect(page.getByTestId('live-badge')).toHaveAttribute('data-status', 'live', { timeout: 60_000 });
  return (await page.getByTestId('room-id').textContent())!.trim();
}

/** The player (a `PlayerView` wrapper) draws frames whose media time advances. */
export async function expectPlaying(player: Locator, what: string): Promise<void> {
  await expect(player, `${what}: player shows up`).toBeVisible();
  await expect.poll(async () => Number((await player.getAttribute('data-frames')) ?? 0), { message: `${what}: frames are drawn`, timeout: 45_000 }).toBeGreaterThan(10);
  const first = Number(await player.getAttribute('data-pts'));
  await expect.poll(async () => Number(await player.getAttribute('data-pts')), { message: `${what}: media time advances`, timeout: 20_000 }).toBeGreaterThan(first);
  await expectNotBlank(player.locator('canvas'), what);
}

/** The canvas holds a picture: many distinct colours, not one flat fill. */
export async function expectNotBlank(canvas: Locator, what: string): Promise<void> {
  const colours = await canvas.evaluate((element) => {
    const c = element as HTMLCanvasElement;
    const ctx = c.getContext('2d');
    if (!ctx || c.width === 0 || c.height === 0) return 0;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 97) seen.add(((data[i]! >> 4) << 8) | ((data[i + 1]! >> 4) << 4) | (data[i + 2]! >> 4));
    return seen.size;
  });
  expect(colours, `${what}: the picture is not blank`).toBeGreaterThan(8);
}

/** The tile sits at `rect` (a layout rectangle, fractions of the frame) of the frame, within two pixels. */
export async function expectPlacedAt(tile: Locator, frame: Locator, rect: Rect, what: string): Promise<void> {
  const f = (await frame.boundingBox())!;
  const b = (await tile.boundingBox())!;
  const near = (actual: number, expected: number) => Math.abs(actual - expected) <= 2;
  expect(
    near(b.x - f.x, rect.x * f.width) && near(b.y - f.y, rect.y * f.height) && near(b.width, rect.w * f.width) && near(b.height, rect.h * f.height),
    `${what}: box ${JSON.stringify(b)} at ${JSON.stringify(rect)} of frame ${JSON.stringify(f)}`,
  ).toBe(true);
}
