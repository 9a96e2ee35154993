// A PK battle on the audience page (/watch/{room}) in real Chromium against a real server: the
// page of each room shows the server's countdown and the score bar with its own room first, its
// like and gift buttons vote for its room (pk.vote as a read-only viewer), both pages show the same
// scores, then the winner (or a draw) in the result phase (English and Simplified Chinese), and the board goes
// away when the PK ends. A viewer beyond its vote rate reads the sentence for RATE_LIMITED.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SignalClient } from '../../common/signal/signal-client';
import type { LinkMicServer } from '../link-mic-server';
import { devLoginClient } from './helpers/dev-login-client';
import { startViewerBrowser, type ViewerBrowser } from './helpers/viewer-browser';
import { startTestServer } from './helpers/media';

interface BattleSnapshot {
  pkId: string;
  round: number;
  phase: 'battle' | 'result';
  secondsLeft: number;
  ours: { roomId: string; score: number };
  theirs: { roomId: string; score: number };
  winnerRoomId: string | null;
  outcome: 'won' | 'lost' | 'draw' | null;
}

/** The battle duration this server accepts for tests: long enough to vote, short enough to end. */
const TEST_BATTLE_SEC = 8;

let viewer: ViewerBrowser | undefined;
let distDir: string;
let browser: Browser;
let server: LinkMicServer | undefined;
const clients: SignalClient[] = [];

beforeAll(async () => {
  viewer = await startViewerBrowser('linkmic-viewer-battle-');
  ({ distDir, browser } = viewer);
}, 60_000);

afterAll(async () => {
  await viewer?.close();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

async function hostClient(userId: string): Promise<SignalClient> {
  const client = await devLoginClient(server!, userId);
  clients.push(client);
  return client;
}

async function battleOf(page: Page): Promise<BattleSnapshot | null> {
  return page.evaluate(() => (window as unknown as { linkmicViewer: { snapshot(): { battle: BattleSnapshot | null } } }).linkmicViewer.snapshot().battle);
}

async function joinedOf(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { linkmicViewer: { snapshot(): { joined: boolean } } }).linkmicViewer.snapshot().joined);
}

/** Polls the page's battle until `predicate` holds (bounded). */
async function battleWhere(page: Page, predicate: (b: BattleSnapshot | null) => boolean, what: string, timeoutMs = 25_000): Promise<BattleSnapshot | null> {
  const deadline = Date.now() + timeoutMs;
  let last: BattleSnapshot | null = null;
  while (Date.now() < deadline) {
    last = await battleOf(page);
    if (predicate(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}; last ${JSON.stringify(last)}`);
}

async function openPage(locale: string, roomId: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 420, height: 760 } });
  const page = await context.newPage();
  await page.goto(`${server!.httpUrl}/watch/${roomId}`);
  return page;
}

describe('PK battle on the audience page', () => {
  it('shows the countdown, both scores with its room first, votes for its room, then the winner, in English and Chinese', async () => {
    server = await startTestServer({ viewer: { distDir }, signal: { battleTestDurationSec: TEST_BATTLE_SEC, battleResultMs: 3000 } });
    const hostA = await hostClient('hosta');
    const hostB = await hostClient('hostb');
    await hostA.openRoom({ streamCode: 'rooma' });
    await hostB.openRoom({ streamCode: 'roomb' });
    const pageA = await openPage('en-US', 'rooma');
    const pageB = await openPage('zh-CN', 'roomb');
    // Both pages have joined their room before the battle starts (the info poll starts signalling).
    await expect.poll(() => joinedOf(pageA), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => joinedOf(pageB), { timeout: 15_000 }).toBe(true);
    expect(await pageA.locator('#battle').isHidden()).toBe(true);

    const { pkId } = await hostA.invitePk('roomb', TEST_BATTLE_SEC);
    await hostB.acceptPk(pkId);

    const onA = await battleWhere(pageA, (b) => b?.phase === 'battle', 'the battle on room A’s page');
    expect(onA).toMatchObject({ pkId, round: 1, ours: { roomId: 'rooma', score: 0 }, theirs: { roomId: 'roomb', score: 0 } });
    expect(onA!.secondsLeft).toBeGreaterThan(0);
    expect(onA!.secondsLeft).toBeLessThanOrEqual(TEST_BATTLE_SEC);
    const onB = await battleWhere(pageB, (b) => b?.phase === 'battle', 'the battle on room B’s page');
    expect(onB).toMatchObject({ pkId, ours: { roomId: 'roomb' }, theirs: { roomId: 'rooma' } });
    await expect.poll(() => pageA.locator('#battle-clock').textContent()).toMatch(/^0:0\d left$/);
    await expect.poll(() => pageB.locator('#battle-clock').textContent()).toMatch(/^剩余 0:0\d$/);
    expect(await pageA.locator('#battle-ours').textContent()).toBe('0 rooma');
    expect(await pageB.locator('#battle-support').textContent()).toBe('为 roomb 助力');
    expect(await pageB.locator('#battle-votes button[data-kind="rose"]').textContent()).toBe('玫瑰（+10）');

    // A's viewer likes once; B's viewer sends a rose and a rocket: 1 : 60, the same on both pages.
    await pageA.locator('#battle-votes button[data-kind="like"]').click();
    await pageB.locator('#battle-votes button[data-kind="rose"]').click();
    await pageB.locator('#battle-votes button[data-kind="rocket"]').click();
    await battleWhere(pageA, (b) => b?.ours.score === 1 && b.theirs.score === 60, 'the scores on A’s page');
    await battleWhere(pageB, (b) => b?.ours.score === 60 && b.theirs.score === 1, 'the scores on B’s page');
    await expect.poll(() => pageA.locator('#battle-theirs').textContent()).toBe('60 roomb');
    await expect.poll(() => pageA.locator('#battle-note').textContent()).toBe('+1 for rooma');
    const oursWidth = (await pageA.locator('#battle-ours').boundingBox())!.width;
    const theirsWidth = (await pageA.locator('#battle-theirs').boundingBox())!.width;
    expect(theirsWidth, 'B’s part of the bar on A’s page is the larger').toBeGreaterThan(oursWidth);

    // The clock runs out: B won, on both pages; no more vote buttons.
    const resultA = await battleWhere(pageA, (b) => b?.phase === 'result', 'the result on A’s page', (TEST_BATTLE_SEC + 15) * 1000);
    expect(resultA).toMatchObject({ winnerRoomId: 'roomb', outcome: 'lost' });
    expect(await battleWhere(pageB, (b) => b?.phase === 'result', 'the result on B’s page')).toMatchObject({ winnerRoomId: 'roomb', outcome: 'won' });
    await expect.poll(() => pageA.locator('#battle-winner').textContent()).toBe('roomb wins!');
    await expect.poll(() => pageB.locator('#battle-winner').textContent()).toBe('roomb 获胜！');
    expect(await pageA.locator('#battle-votes').isHidden()).toBe(true);

    // The result phase ends without a rematch: the PK ends and the board goes away.
    await battleWhere(pageA, (b) => b === null, 'the board to go away after the result', 20_000);
    expect(await pageA.locator('#battle').isHidden()).toBe(true);
    await pageA.context().close();
    await pageB.context().close();
  });

  it('shows a draw when both sides have the same score at the end', async () => {
    server = await startTestServer({ viewer: { distDir }, signal: { battleTestDurationSec: 2, battleResultMs: 5000 } });
    const hostA = await hostClient('hoste');
    const hostB = await hostClient('hostf');
    await hostA.openRoom({ streamCode: 'roome' });
    await hostB.openRoom({ streamCode: 'roomf' });
    const page = await openPage('zh-CN', 'roomf');
    await expect.poll(() => joinedOf(page), { timeout: 15_000 }).toBe(true);
    const { pkId } = await hostA.invitePk('roomf', 2);
    await hostB.acceptPk(pkId);
    const result = await battleWhere(page, (b) => b?.phase === 'result', 'the result');
    expect(result).toMatchObject({ outcome: 'draw', winnerRoomId: null, ours: { roomId: 'roomf', score: 0 }, theirs: { roomId: 'roome', score: 0 } });
    await expect.poll(() => page.locator('#battle-winner').textContent()).toBe('平局');
    expect(await page.locator('#battle-result').getAttribute('data-outcome')).toBe('draw');
    await page.context().close();
  });

  it('tells a viewer who votes too fast that it is rate limited, and counts only what was allowed', async () => {
    server = await startTestServer({ viewer: { distDir }, signal: { battleTestDurationSec: 60, voteRateLimit: { burst: 2, perSecond: 0.01 } } });
    const hostA = await hostClient('hostc');
    const hostB = await hostClient('hostd');
    await hostA.openRoom({ streamCode: 'roomc' });
    await hostB.openRoom({ streamCode: 'roomd' });
    const page = await openPage('en-US', 'roomc');
    await expect.poll(() => joinedOf(page), { timeout: 15_000 }).toBe(true);
    const { pkId } = await hostA.invitePk('roomd', 60);
    await hostB.acceptPk(pkId);
    await battleWhere(page, (b) => b?.phase === 'battle', 'the battle');
    const like = page.locator('#battle-votes button[data-kind="like"]');
    await like.click();
    await expect.poll(() => page.locator('#battle-note').textContent()).toBe('+1 for roomc');
    await like.click();
    await battleWhere(page, (b) => b?.ours.score === 2, 'two likes counted');
    await like.click();
    await expect.poll(() => page.locator('#battle-note').textContent()).toBe('Too many actions in a short time. Please wait a moment.');
    expect((await battleOf(page))?.ours.score).toBe(2);
    await page.context().close();
  });
});
