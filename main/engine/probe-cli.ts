// `npm run engine:probe`: a headless diagnostic printing, as JSON, the ffmpeg found, its version,
// the sources it can see and the encoder it would pick, with the reasons.
import path from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { isH264EncoderName } from '../../common/encoder-kinds';
import { toErrorPayload } from '../../common/errors';
import { listDevices } from './device-lister';
import { selectEncoder } from './encoder-probe';
import { locateFfmpeg } from './ffmpeg-locator';
import { stderrLogger } from '../../node/logger';

const optionsSchema = z.object({
  ffmpeg: z.string().min(1).optional(),
  resources: z.string().min(1).optional(),
  hardware: z.boolean(),
});

async function main(): Promise<number> {
  const program = new Command()
    .name('engine:probe')
    .description('Print the ffmpeg, sources and encoder the push engine would use, as JSON')
    .option('--ffmpeg <path>', 'an ffmpeg binary (as the user setting)')
    .option('--resources <dir>', 'resources folder holding ffmpeg/<platform>-<arch>/ffmpeg', path.resolve('resources'))
    .option('--no-hardware', 'skip hardware encoders')
    .parse();
  const options = optionsSchema.parse(program.opts());
  const logger = stderrLogger('engine:probe');
  try {
    const ffmpeg = await locateFfmpeg({ userPath: options.ffmpeg, resourcesDir: options.resources }, logger);
    const [devices, encoder] = await Promise.all([listDevices(ffmpeg, logger), selectEncoder(ffmpeg, logger, { hardware: options.hardware })]);
    const report = {
      ok: true,
      platform: `${process.platform}-${process.arch}`,
      ffmpeg: {
        path: ffmpeg.path,
        origin: ffmpeg.origin,
        version: ffmpeg.version,
        skipped: ffmpeg.skipped,
        h264Encoders: ffmpeg.encoders.filter(isH264EncoderName),
        inputDevices: ffmpeg.inputDevices,
      },
      sources: {
        video: ['testPattern', 'file', ...devices.screens.map((d) => `screen ${d.id} (${d.api}: ${d.label})`), ...devices.cameras.map((d) => `camera ${d.id} (${d.api}: ${d.label})`)],
        audio: ['pcm (renderer echo-cancelled mic)', 'tone', 'silence', ...devices.microphones.map((d) => `microphone ${d.id} (${d.api}: ${d.label})`)],
        devices,
      },
      encoder,
    };
    console.log(JSON.stringify(report, null, 2));
    return 0;
  } catch (error) {
    console.log(JSON.stringify({ ok: false, error: toErrorPayload(error) }, null, 2));
    return 1;
  }
}

process.exitCode = await main();
