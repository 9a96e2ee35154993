// Recording: go live in the web console, link guest C, choose a folder, record (with the ISO
// option), stop; the program file and C's ISO file are probed with ffprobe (duration, video +
// audio). Screenshots per step, English and 简体中文.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { goLive, openScreen } from './helpers/console-page';

function probe(file: string): { durationSec: number; tracks: string[] } {
  const result = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', file], { encoding: 'utf8', timeout: 30_000 });
  const parsed = JSON.parse(result.stdout || '{}') as { format?: { duration?: string }; streams?: Array<{ codec_type: string }> };
  return { durationSec: Number(parsed.format?.duration ?? 0), tracks: (parsed.streams ?? []).map((s) => s.codec_type).sort() };
}

for (const locale of ['en', 'zh-CN'] as const) {
  test(`recording (${locale}): go live, record, stop, the file plays`, async ({ cluster }) => {
    // Two live studios (host and guest), the recorders and a shared 2-core machine.
    test.setTimeout(300_000);
    const folder = mkdtempSync(path.join(os.tmpdir(), `e2e-recording-${locale}-`));
    try {
      const { page } = await cluster.console(`rec-${locale}`);
      const guest = await cluster.console(`recguest-${locale}`);
      const guestId = guest.studio.userId;
      if (locale === 'zh-CN') await page.getByTestId('language').selectOption('zh-CN');
      await page.getByTestId('recording-folder').fill(folder);
      await page.getByTestId('recording-folder-save').click();
      await expect(page.getByTestId('recording-folder-save')).toBeDisabled();
      await cluster.shot(page, `${locale}-01-folder`);
      const roomId = await goLive(page);

      // Guest C links in as a small host (its own stream: the ISO recording's source).
      await openScreen(guest.page, 'audience');
      await guest.page.getByTestId('audience-room-id').fill(roomId);
      await guest.page.getByTestId('audience-join').click();
      await guest.page.getByTestId('audience-request-link').click();
      await openScreen(page, 'linkmic');
      await page.getByTestId(`request-${guestId}`).getByTestId('accept-request').click();
      await expect(guest.page.getByTestId('live-badge')).toHaveAttribute('data-status', 'live', { timeout: 60_000 });
      await openScreen(page, 'golive');

      await page.getByTestId('recording-iso').check();
      await page.getByTestId('start-recording').click();
      const status = page.getByTestId('recording-status');
      await expect(status).toHaveAttribute('data-status', 'recording');
      await expect(status).toContainText(/00:00:0[3-9]/, { timeout: 30_000 });
      // C's ISO file is listed and fills while recording (a fragmented MP4 probes while written).
      const fileList = page.getByTestId('recording-files').locator('li');
      await expect(fileList.filter({ hasText: `_guest-${guestId}.mp4` })).toHaveCount(1);
      const guestFile = (await fileList.filter({ hasText: `_guest-${guestId}.mp4` }).textContent())!;
      await expect.poll(() => probe(guestFile).durationSec, { message: 'C’s ISO file grows', timeout: 30_000 }).toBeGreaterThan(1);
      await cluster.shot(page, `${locale}-02-recording`);
      await page.getByTestId('stop-recording').click();
      await expect(status).toHaveAttribute('data-status', 'idle');
      const files = await fileList.allTextContents();
      await cluster.shot(page, `${locale}-03-stopped`);
      const program = files.find((f) => f.endsWith('_program.mp4'));
      expect(program, files.join(', ')).toBeTruthy();
      const probed = probe(program!);
      expect(probed.durationSec).toBeGreaterThan(1);
      expect(probed.tracks).toEqual(['audio', 'video']);
      // The ISO file: C's original stream, its own video and audio.
      expect(files, files.join(', ')).toContain(guestFile);
      const guestProbed = probe(guestFile);
      expect(guestProbed.durationSec).toBeGreaterThan(1);
      expect(guestProbed.tracks).toEqual(['audio', 'video']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
}
