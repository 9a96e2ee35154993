// CLI settings: flags, then LINKMIC_* environment variables, then the --config JSON file, then
// defaults, validated by the server's zod schema (config.ts).
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { flagNameOf, parseServerConfig, type ServerConfig } from './config';
import { LOG_LEVELS } from '../node/logger';

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
  { key: 'tokenKey', env: 'LINKMIC_TOKEN_KEY', kind: 'string' },
  { key: 'devLogin', env: 'LINKMIC_DEV_LOGIN', kind: 'boolean' },
  { key: 'stateFile', env: 'LINKMIC_STATE_FILE', kind: 'string' },
  { key: 'redisUrl', env: 'LINKMIC_REDIS_URL', kind: 'string' },
  { key: 'nodeId', env: 'LINKMIC_NODE_ID', kind: 'string' },
  { key: 'battleTestDurationSec', env: 'LINKMIC_BATTLE_TEST_DURATION_SEC', kind: 'integer' },
] as const;

const integerText = z.string().regex(/^\d+$/, 'must be a whole number');
const booleanText = z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']);

/** A flag, variable or file that cannot be read as a setting (exit 2). */
export class UsageError extends Error {}

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
    .option('--token-key <key>', 'key of signalling login tokens (default: derived from --key; see docs/protocol.md)')
    .option('--dev-login', 'serve POST /api/dev-login (default only on a loopback host)')
    .option('--no-dev-login', 'do not serve POST /api/dev-login: tokens come from your own backend')
    .option('--state-file <file>', 'one node: save rooms, links and PKs here and restore them after a restart')
    .option('--redis-url <url>', 'several nodes: share the signalling state through this Redis (redis://host:port)')
    .option('--node-id <name>', 'this node\'s name among the signalling nodes (default: the host name)')
    .option('--battle-test-duration-sec <n>', 'tests only: also accept PK battles of n seconds (the product offers 1/3/5/10 min)')
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

