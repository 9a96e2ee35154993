// Headless link-mic server:
//   npm run server -- [--host 127.0.0.1] [--rtmp-port N] [--http-port N] [--key KEY]
//                     [--link-quota 3] [--require-play-sign] [--config file.json] …
// Settings come from flags, then LINKMIC_* environment variables, then the --config JSON file,
// then defaults. Once both ports listen it prints one JSON line on stdout:
//   {"event":"ready","rtmpUrl":"rtmp://127.0.0.1:1935","httpUrl":"http://127.0.0.1:8000",…}
// Logs go to stderr. SIGINT/SIGTERM close everything and exit 0. Exit codes: 2 bad flags or
// configuration (INVALID_CONFIG), 1 failed to start (e.g. PORT_IN_USE).
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import { LinkMicError, ValidationError, toErrorPayload } from '../common';
import { flagNameOf, parseServerConfig, type ServerConfig } from './config';
import { LinkMicServer } from './link-mic-server';
import { LOG_LEVELS } from './logger';

const EXIT_USAGE = 2;
const EXIT_START_FAILED = 1;
const SHUTDOWN_DEADLINE_MS = 1800;

/** Flags (commander camelCases them) and the LINKMIC_* variable each one falls back to. */
const SETTINGS = [
  { key: 'host', env: 'LINKMIC_HOST', kind: 'string' },
  { key: 'rtmpPort', env: 'LINKMIC_RTMP_PORT', kind: 'integer' },
  { key: 'httpPort', env: 'LINKMIC_HTTP_PORT', kind: 'integer' },
  { key: 'publicHost', env: 'LINKMIC_PUBLIC_HOST', kind: 'string' },
  { key: 'key', env: 'LINKMIC_KEY', kind: 'string' },
  { key: 'linkQuota', env: 'LINKMIC_LINK_QUOTA', kind: 'integer' },
  { key: 'requirePlaySign', env: 'LINKMIC_REQUIRE_PLAY_SIGN', kind: 'boolean' },
  { key: 'logLevel', env: 'LINKMIC_LOG_LEVEL', kind: 'string' },
] as const;

const integerText = z.string().regex(/^\d+$/, 'must be a whole number');
const booleanText = z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']);

class UsageError extends Error {}

function parseSetting(kind: 'string' | 'integer' | 'boolean', value: unknown, source: string): unknown {
  if (kind === 'string' || typeof value !== 'string') return value;
  if (kind === 'integer') {
    const result = integerText.safeParse(value);
    if (!result.success) throw new UsageError(`${source}: "${value}" must be a whole number`);
    return Number(value);
  }
  const result = booleanText.safeParse(value.toLowerCase());
  if (!result.success) throw new UsageError(`${source}: "${value}" must be true or false`);
  return ['1', 'true', 'yes', 'on'].includes(result.data);
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--config ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError(`--config ${file}: must hold a JSON object`);
  return data as Record<string, unknown>;
}

export function resolveConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  const program = new Command('linkmic-server')
    .description('Self-hostable link-mic origin: RTMP push, low-latency HTTP-FLV/WS-FLV/RTMP play, HTTP API')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--rtmp-port <port>', 'RTMP port, 0 = any free port (default 1935)')
    .option('--http-port <port>', 'HTTP port, 0 = any free port (default 8000)')
    .option('--public-host <host>', 'host written into issued URLs')
    .option('--key <key>', 'signing key for txSecret/txTime (unset = no signing, development only)')
    .option('--link-quota <n>', 'low-latency links per session_id, 1..8 (default 3)')
    .option('--require-play-sign', 'audience plays must be signed too')
    .option('--config <file>', 'JSON file with the same settings (camelCase keys)')
    .addOption(new Option('--log-level <level>', 'log level on stderr').choices(LOG_LEVELS))
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: (text) => process.stderr.write(text) })
    .allowExcessArguments(false);
  program.parse([...argv], { from: 'user' });
  const flags = program.opts<Record<string, unknown>>();

  const configFile = (flags.config as string | undefined) ?? env.LINKMIC_CONFIG;
  const merged: Record<string, unknown> = configFile ? readConfigFile(configFile) : {};
  for (const setting of SETTINGS) {
    const envValue = env[setting.env];
    if (envValue !== undefined && envValue !== '') merged[setting.key] = parseSetting(setting.kind, envValue, setting.env);
    if (flags[setting.key] !== undefined) merged[setting.key] = parseSetting(setting.kind, flags[setting.key], flagNameOf(setting.key));
  }
  return parseServerConfig(merged);
}

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = resolveConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its message (or the help / version text).
      process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
    }
    if (error instanceof UsageError) {
      process.stderr.write(`linkmic-server: INVALID_CONFIG: ${error.message}\n`);
      process.exit(EXIT_USAGE);
    }
    if (error instanceof ValidationError) {
      const field = error.field ? flagNameOf(error.field) : 'config';
      process.stderr.write(`linkmic-server: ${error.code}: ${error.message.replace(`: ${error.field}:`, `: ${field}:`)}\n`);
      process.exit(EXIT_USAGE);
    }
    throw error;
  }

  const server = new LinkMicServer(config);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS);
    server.close().then(
      () => {
        clearTimeout(deadline);
        process.exit(0);
      },
      (error: unknown) => {
        server.log.error({ err: error }, 'close failed');
        process.exit(0);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  try {
    const ready = await server.start();
    process.stdout.write(`${JSON.stringify({ event: 'ready', ...ready, rtmpPort: server.rtmpPort, httpPort: server.httpPort })}\n`);
  } catch (error) {
    const payload = toErrorPayload(error);
    process.stderr.write(`linkmic-server: ${payload.code}: ${payload.message}\n`);
    process.exit(error instanceof LinkMicError && error.code === 'INVALID_CONFIG' ? EXIT_USAGE : EXIT_START_FAILED);
  }
}

void main();
