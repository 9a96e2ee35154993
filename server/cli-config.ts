// CLI settings: flags, then LINKMIC_* environment variables, then the --config JSON file, then
// defaults, validated by the server's zod schema (config.ts).
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { flagNameOf, parseServerConfig, type ServerConfig } from './config';
import { LOG_LEVELS } from '../node/logger';
import { DEFAULT_LINK_QUOTA, MAX_LINK_QUOTA } from '../common/link-quota';

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
  { key: 'allowOrigin', env: 'LINKMIC_ALLOW_ORIGIN', kind: 'list' },
  { key: 'stateFile', env: 'LINKMIC_STATE_FILE', kind: 'string' },
  { key: 'redisUrl', env: 'LINKMIC_REDIS_URL', kind: 'string' },
  { key: 'nodeId', env: 'LINKMIC_NODE_ID', kind: 'string' },
  { key: 'battleTestDurationSec', env: 'LINKMIC_BATTLE_TEST_DURATION_SEC', kind: 'integer' },
  { key: 'battleResultSec', env: 'LINKMIC_BATTLE_RESULT_SEC', kind: 'integer' },
  { key: 'maxConnectionsPerIp', env: 'LINKMIC_MAX_CONNECTIONS_PER_IP', kind: 'integer' },
  { key: 'maxStreamCodesPerUser', env: 'LINKMIC_MAX_STREAM_CODES_PER_USER', kind: 'integer' },
  { key: 'linkPublishDeadlineSec', env: 'LINKMIC_LINK_PUBLISH_DEADLINE_SEC', kind: 'integer' },
  // [hooks] external origins and origin profiles (docs/deploy.md)
  { key: 'origin', env: 'LINKMIC_ORIGIN', kind: 'string' },
  { key: 'hookToken', env: 'LINKMIC_HOOK_TOKEN', kind: 'string' },
  { key: 'hookRelayPageUrl', env: 'LINKMIC_HOOK_RELAY_PAGE_URL', kind: 'string' },
  { key: 'hookRelayAddresses', env: 'LINKMIC_HOOK_RELAY_ADDRESSES', kind: 'list' },
  { key: 'hookLeaseSec', env: 'LINKMIC_HOOK_LEASE_SEC', kind: 'integer' },
  { key: 'tencentCallbackKey', env: 'LINKMIC_TENCENT_CALLBACK_KEY', kind: 'string' },
  { key: 'mediaProfile', env: 'LINKMIC_MEDIA_PROFILE', kind: 'string' },
  { key: 'pushUrl', env: 'LINKMIC_PUSH_URL', kind: 'string' },
  { key: 'linkRtmpUrl', env: 'LINKMIC_LINK_RTMP_URL', kind: 'string' },
  { key: 'linkFlvUrl', env: 'LINKMIC_LINK_FLV_URL', kind: 'string' },
  { key: 'playRtmpUrl', env: 'LINKMIC_PLAY_RTMP_URL', kind: 'string' },
  { key: 'playFlvUrl', env: 'LINKMIC_PLAY_FLV_URL', kind: 'string' },
  { key: 'playKey', env: 'LINKMIC_PLAY_KEY', kind: 'string' },
] as const;

const integerText = z.string().regex(/^\d+$/, 'must be a whole number');
const booleanText = z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']);

/** A flag, variable or file that cannot be read as a setting (exit 2). */
export class UsageError extends Error {}

function parseSetting(kind: 'string' | 'integer' | 'boolean' | 'list', value: unknown, source: string): unknown {
  if (kind === 'string' || typeof value !== 'string') return value;
  if (kind === 'list') return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
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
    .option('--link-quota <n>', `low-latency links per session_id, 1..${MAX_LINK_QUOTA} (default ${DEFAULT_LINK_QUOTA})`)
    .option('--require-play-sign', 'audience plays must be signed too')
    .option('--token-key <key>', 'key of signalling login tokens (default: derived from --key; see docs/protocol.md)')
    .option('--dev-login', 'serve POST /api/dev-login (default only on a loopback host)')
    .option('--no-dev-login', 'do not serve POST /api/dev-login: tokens come from your own backend')
    .option('--allow-origin <origin>', 'a browser origin allowed on /signal and dev-login besides the server\'s own (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--state-file <file>', 'one node: save rooms, links and PKs here and restore them after a restart')
    .option('--redis-url <url>', 'several nodes: share the signalling state through this Redis (redis://host:port)')
    .option('--node-id <name>', 'this node\'s name among the signalling nodes (default: the host name)')
    .option('--max-connections-per-ip <n>', 'open signalling connections per IP address (default 200)')
    .option('--max-stream-codes-per-user <n>', 'stream codes one user may claim; a claim unused for 30 days expires (default 16)')
    .option('--link-publish-deadline-sec <n>', 'an accepted guest that has not published after n seconds loses its link and slot (default 20, 0 = off)')
    .option('--battle-test-duration-sec <n>', 'tests only: also accept PK battles of n seconds (the product offers 1/3/5/10 min)')
    .option('--battle-result-sec <n>', 'how long a PK battle\'s winner is shown before the PK ends or a rematch starts (default 10)')
    .addOption(new Option('--origin <where>', 'embedded: this process is the RTMP origin; external: an RTMP cluster calls /hooks/… (docs/deploy.md)').choices(['embedded', 'external']))
    .option('--hook-token <token>', 'token nginx-rtmp / SRS hook URLs carry as ?token= (unset: loopback callers only)')
    .option('--hook-relay-page-url <marker>', 'pageUrl an edge pull carries (nginx-rtmp pull … pageUrl=<marker>): a relay')
    .option('--hook-relay-addresses <list>', 'comma-separated edge addresses whose plays on the origin are relays (SRS)')
    .option('--hook-lease-sec <n>', 'lease of locks and link slots renewed by nginx-rtmp on_update (default 90)')
    .option('--tencent-callback-key <key>', 'Tencent CSS callback key (md5(key + t) signatures)')
    .addOption(new Option('--media-profile <profile>', 'where issued URLs point').choices(['embedded', 'cluster', 'tencent-css']))
    .option('--push-url <rtmp://host[:port]>', 'push base (cluster origin, or Tencent CSS push domain)')
    .option('--link-rtmp-url <rtmp://host[:port]>', 'low-latency RTMP play base (default: cluster origin / Tencent play domain)')
    .option('--link-flv-url <http(s)://host[:port]>', 'low-latency HTTP-FLV / WS-FLV play base (default: --play-flv-url)')
    .option('--play-rtmp-url <rtmp://host[:port]>', 'audience RTMP play base (edge / CDN)')
    .option('--play-flv-url <http(s)://host[:port]>', 'audience HTTP-FLV / WS-FLV play base (edge / CDN)')
    .option('--play-key <key>', 'Tencent CSS play anti-leech key for play URLs')
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

