// The guide's enableAEC in the console: the streamer switches echo cancellation, noise suppression
// and auto gain for the on-air mic; the choice lands in the studio core and survives a reload.
import { expect, test } from './fixtures';
import { openScreen } from './helpers/console-page';

test('audio processing: the streamer turns echo cancellation off for headphones and back on', async ({ cluster }) => {
  const a = await cluster.console('hostA');
  await openScreen(a.page, 'golive');
  await a.page.getByTestId('audio-source').selectOption('renderer-mic');
  const aec = a.page.getByTestId('audio-echoCancellation');
  await expect(aec).toBeChecked();
  await expect(a.page.getByTestId('audio-noiseSuppression')).toBeChecked();
  await expect(a.page.getByTestId('audio-autoGainControl')).toBeChecked();

  await aec.uncheck();
  await expect(aec).not.toBeChecked();
  await cluster.shot(a.page, '01-aec-off');

  // The switch is the core's state, not the checkbox's: a fresh page shows it off.
  await a.page.reload();
  await openScreen(a.page, 'golive');
  await a.page.getByTestId('audio-source').selectOption('renderer-mic');
  await expect(a.page.getByTestId('audio-echoCancellation')).not.toBeChecked();
  await expect(a.page.getByTestId('audio-noiseSuppression')).toBeChecked();

  await a.page.getByTestId('audio-echoCancellation').check();
  await expect(a.page.getByTestId('audio-echoCancellation')).toBeChecked();
});
