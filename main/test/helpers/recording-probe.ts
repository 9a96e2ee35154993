// ffprobe's view of a recorded file: its duration and its tracks.
import { runChild } from './engine-media';

export interface ProbedFile {
  readonly durationSec: number;
  readonly tracks: readonly string[];
}

export async function probeFile(file: string): Promise<ProbedFile> {
  const result = await runChild('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', file], 30_000);
  if (result.code !== 0) throw new Error(`ffprobe failed (${String(result.code)}): ${result.stderr}`);
  const parsed = JSON.parse(result.stdout.toString('utf8')) as { format?: { duration?: string }; streams?: Array<{ codec_type: string }> };
  return { durationSec: Number(parsed.format?.duration ?? 0), tracks: (parsed.streams ?? []).map((s) => s.codec_type).sort() };
}
