// Recording: go live in the web console, choose a folder, record (with the ISO option), stop; the
// program file is probed with ffprobe (duration, video + audio). Screenshots per step, English
// and 简体中文.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { goLive } from './helpers/console-page';

function probe(file: string): { durationSec: number; tracks: string[] } {
  const result = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', file], { encoding: 'utf8', timeout: 30_000 });
  const parsed = JSON.parse(result.stdout || '{}') as { format?: { duration?: string }; streams?: Array<{ codec_type: string }> };
  return { durationSec: Number(parsed.format?.duration ?? 0), tracks: (parsed.streams ?? []).map((s) => s.codec_type).sort() };
}

for (const locale of ['en', 'zh-CN'] as const) {
  test(`recording (${locale}): go live, record, stop, the file plays`, async ({ cluster }) => {
    const folder = mkdtempSync(path.join(os.tmpdir(), `e2e-recording-${locale}-`));
    try {
      const { page } = await cluster.console(`rec-${locale}`);
      if (locale === 'zh-CN') await page.getByTestId('language').selectOption('zh-CN');
      await page.getByTestId('recording-folder').fill(folder);
      await page.getByTestId('recording-folder-save').click();
      await expect(page.getByTestId('recording-folder-save')).toBeDisabled();
      await cluster.shot(page, `${locale}-01-folder`);
      await goLive(page);
      await page.getByTestId('recording-iso').check();
      await page.getByTestId('start-recording').click();
      const status = page.getByTestId('recording-status');
      await expect(status).toHaveAttribute('data-status', 'recording');
      await expect(status).toContainText(/00:00:0[3-9]/, { timeout: 30_000 });
      await cluster.shot(page, `${locale}-02-recording`);
      await page.getByTestId('stop-recording').click();
      await expect(status).toHaveAttribute('data-status', 'idle');
      const files = await page.getByTestId('recording-files').locator('li').allTextContents();
      await cluster.shot(page, `${locale}-03-stopped`);
      const program = files.find((f) => f.endsWith('_program.mp4'));
      expect(program, files.join(', ')).toBeTruthy();
      const probed = probe(program!);
      expect(probed.durationSec).toBeGreaterThan(1);
      expect(probed.tracks).toEqual(['audio', 'video']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
}
