// The web host's command line: parses flags (zod-checked), starts the studio with the embedded
// server, prints the console URL, and shuts everything down on Ctrl+C / SIGTERM.
//   web-host [--port N] [--host 127.0.0.1] [--data-dir DIR] [--renderer-dir DIR] [--server-log-level warn]
// Prints `LinkMic Studio console: <url>` and one JSON line `{"event":"ready","url":…}` on stdout.
import path from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { toErrorPayload } from '../common/errors';
import { validationErrorFromZod } from '../common/studio-api';
import { LOG_LEVELS } from '../node/logger';
import { isLoopbackHost } from '../node/loopback';
import { defaultDataDir, findRendererDir, findResourcesDir, findViewerDir } from './app-paths';
import { startStudioWebHost } from './studio-web-host';

const flagsSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65_535).default(0),
    host: z.string().regex(/^[A-Za-z0-9.:[\]-]+$/).default('127.0.0.1'),
    dataDir: z.string().min(1).optional(),
    rendererDir: z.string().min(1).optional(),
    serverLogLevel: z.enum(LOG_LEVELS).default('warn'),
  })
  .strict();

export interface RunOptions {
  readonly argv: readonly string[];
  /** Folder of the running main-process file (to find dist/renderer and resources/). */
  readonly hereDir: string;
  /** Printed after the URL (the launcher adds a note about Electron). */
  readonly note?: string;
}

export async function runWebHost(options: RunOptions): Promise<void> {
  const program = new Command('web-host')
    .description('LinkMic Studio as a web console on 127.0.0.1 (same core as the desktop app)')
    .option('--port <n>', 'console port (0 = any free port)')
    .option('--host <addr>', 'bind address (127.0.0.1; anything else exposes the console)')
    .option('--data-dir <dir>', 'settings and secrets folder')
    .option('--renderer-dir <dir>', 'the built console (dist/renderer)')
    .option('--server-log-level <level>', 'embedded server log level')
    .exitOverride();
  let flags: z.infer<typeof flagsSchema>;
  try {
    program.parse(options.argv as string[], { from: 'user' });
    const parsed = flagsSchema.safeParse(Object.fromEntries(Object.entries(program.opts()).filter(([, v]) => v !== undefined)));
    if (!parsed.success) throw validationErrorFromZod(parsed.error, 'web-host');
    flags = parsed.data;
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('commander.')) process.exit((error as { exitCode?: number }).exitCode ?? 2);
    process.stderr.write(`web-host: ${toErrorPayload(error).message}\n`);
    process.exit(2);
  }
  const rendererDir = flags.rendererDir ?? findRendererDir(options.hereDir);
  if (!rendererDir) {
    process.stderr.write('web-host: the console is not built; run `npm run build` first\n');
    process.exit(2);
  }
  const resourcesDir = findResourcesDir(options.hereDir);
  let studio;
  try {
    studio = await startStudioWebHost({
      dataDir: path.resolve(flags.dataDir ?? defaultDataDir()),
      rendererDir,
      host: flags.host,
      port: flags.port,
      serverLogLevel: flags.serverLogLevel,
      viewerDistDir: findViewerDir(options.hereDir),
      ...(resourcesDir === undefined ? {} : { resourcesDir }),
      logger: {
        info: () => undefined,
        warn: (message) => process.stderr.write(`studio: ${message}\n`),
        error: (message) => process.stderr.write(`studio: ${message}\n`),
      },
    });
  } catch (error) {
    process.stderr.write(`web-host: ${toErrorPayload(error).code}: ${toErrorPayload(error).message}\n`);
    process.exit(1);
  }
  if (!isLoopbackHost(flags.host)) process.stderr.write(`web-host: WARNING: the console listens on ${flags.host}; anyone with the URL controls the studio\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`web-host: ${signal}: stopping\n`);
    const deadline = setTimeout(() => process.exit(1), 10_000);
    deadline.unref();
    studio.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  const state = await studio.core.getState();
  process.stdout.write(`LinkMic Studio console: ${studio.web.pageUrl}\n`);
  if (options.note) process.stdout.write(`${options.note}\n`);
  process.stdout.write(`${JSON.stringify({ event: 'ready', url: studio.web.pageUrl, server: state.server.httpUrl, rtmp: state.server.rtmpUrl })}\n`);
}
