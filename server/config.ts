// The server's configuration: one zod schema, used by LinkMicServer (embedded) and the CLI
// (flags > LINKMIC_* environment > --config file.json > defaults).
import { z } from 'zod';
import { ValidationError } from '../common';
import { LOG_LEVELS } from '../node/logger';
import { DEFAULT_LINK_QUOTA, MAX_LINK_QUOTA } from './origin/origin-policy';

const port = z.number().int().min(0, 'must be 0 (any free port) or more').max(65535, 'must be at most 65535');
const host = z.string().regex(/^[A-Za-z0-9.\-:[\]]+$/, 'must be a host name or an IP address');
// [hooks] media URL bases of an origin profile: scheme://host[:port], nothing after it
const rtmpBase = z.string().regex(/^rtmp:\/\/[A-Za-z0-9.\-:[\]]+\/?$/, 'must be rtmp://host[:port]');
const flvBase = z.string().regex(/^https?:\/\/[A-Za-z0-9.\-:[\]]+\/?$/, 'must be http(s)://host[:port]');

export const serverConfigSchema = z
  .object({
    /** Address both listeners bind. */
    host: host.default('127.0.0.1'),
    /** RTMP port; 0 picks a free port. */
    rtmpPort: port.default(1935),
    /** HTTP port (API, HTTP-FLV, WS-FLV, signalling, viewer pages); 0 picks a free port. */
    httpPort: port.default(8000),
    /** Host written into issued URLs (defaults to `host`, or 127.0.0.1 when binding all addresses). */
    publicHost: host.optional(),
    /** Signing key for txSecret/txTime. Without it nothing is signed or checked (development only). */
    key: z.string().min(1, 'must not be empty').max(256).optional(),
    /** Concurrent low-latency links per session_id (spec §5: 3 by default, never above 8). */
    linkQuota: z.number().int().min(1).max(MAX_LINK_QUOTA, `must be at most ${MAX_LINK_QUOTA} (spec §5)`).default(DEFAULT_LINK_QUOTA),
    /** Audience plays must be signed too. */
    requirePlaySign: z.boolean().default(false),
    /** Validity of issued URLs. */
    urlValiditySec: z.number().int().min(60).max(366 * 24 * 3600).default(24 * 3600),
    /** A publisher that sends nothing for this long is dropped. */
    publisherIdleTimeoutMs: z.number().int().min(200).max(600_000).default(5000),
    /** An RTMP connection whose handshake is not done this long after connecting is dropped (a deadline, not an idle timeout). */
    handshakeTimeoutMs: z.number().int().min(200).max(600_000).default(5000),
    /** An RTMP connection that neither publishes nor plays this long after connecting is dropped (a deadline). */
    commandTimeoutMs: z.number().int().min(200).max(600_000).default(10_000),
    /** A viewer whose unsent backlog passes this many bytes is dropped. */
    maxViewerBacklogBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .max(1024 * 1024 * 1024)
      .default(8 * 1024 * 1024),
    /** When a stream ends, close its players instead of leaving them waiting for a new publisher. */
    closePlayersOnUnpublish: z.boolean().default(true),
    /** This instance's data folder (created if missing). Default: a fresh temporary folder, removed on close. */
    dataDir: z.string().min(1).optional(),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    /** Key of the signalling login tokens (HMAC); default derived from `key` (docs/protocol.md). */
    tokenKey: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
    /** Serve POST /api/dev-login. Default: on only when binding a loopback address. */
    devLogin: z.boolean().optional(),
    /** Browser origins allowed on /signal and dev-login besides the server's own (`http(s)://host[:port]`). */
    allowOrigin: z.array(z.string().regex(/^https?:\/\/[^\s/]+$/, 'must be an origin: http(s)://host[:port]')).max(64).default([]),
    /** One node: the signalling state (rooms, links, PKs) is saved here and restored after a restart. */
    stateFile: z.string().min(1).max(4096).optional(),
    /** Several nodes: the signalling state lives in this Redis (`redis://host:port[/db]`), shared by every node. */
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\/[^\s]+$/, 'must be a redis:// or rediss:// URL')
      .optional(),
    /** This node's name among the signalling nodes (default: the host name). */
    nodeId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1..64 letters, digits, dots, dashes or underscores')
      .optional(),
    /** Tests only: one extra PK battle duration in seconds besides 1/3/5/10 min (off by default). */
    battleTestDurationSec: z.number().int().min(1).max(600).optional(),
    /** How long a PK battle's result phase lasts, seconds (default 10). */
    battleResultSec: z.number().int().min(1).max(300).optional(),
    /** Open signalling connections per IP address (default 200; raise it behind a NAT or for load tests). */
    maxConnectionsPerIp: z.number().int().min(1).max(10_000_000).optional(),
    /** Stream codes one user may claim (default 16; docs/security.md). */
    maxStreamCodesPerUser: z.number().int().min(1).max(10_000).optional(),
    /** An accepted guest's time to start publishing before its link ends with `no-media` (default 20 s; 0 = off). */
    linkPublishDeadlineSec: z.number().int().min(0).max(3600).optional(),
    // [hooks] external origins (server/hooks, docs/deploy.md)
    /** `embedded`: this process is the RTMP origin; `external`: no RTMP listener, an RTMP cluster asks /hooks/…. */
    origin: z.enum(['embedded', 'external']).default('embedded'),
    /** Token nginx-rtmp and SRS hook URLs carry (`?token=`); unset = hooks answer loopback callers only. */
    hookToken: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
    /** pageUrl an edge's pull carries (nginx-rtmp `pull … pageUrl=<this>`): such plays are relays. */
    hookRelayPageUrl: z.string().regex(/^[A-Za-z0-9_.:-]{16,128}$/, 'must be 16-128 characters of A-Z, a-z, 0-9, _ . : -').optional(),
    /** Addresses of edges: their plays on an origin are relays (SRS edges). */
    hookRelayAddresses: z.array(z.string().min(1).max(64)).max(256).default([]),
    /** Lease of locks and link slots renewed by nginx-rtmp on_update (set notify_update_timeout to a third). */
    hookLeaseSec: z.number().int().min(10).max(3600).default(90),
    /** Tencent CSS callback key (stream-state callbacks signed md5(key + t)). */
    tencentCallbackKey: z.string().min(1).max(256).optional(),
    // [hooks] where issued URLs point (server/media-profile.ts)
    /** `embedded`: this server's ports; `cluster`: an RTMP cluster (origin + edges); `tencent-css`: Tencent CSS domains. */
    mediaProfile: z.enum(['embedded', 'cluster', 'tencent-css']).default('embedded'),
    /** Push base, `rtmp://host[:port]` (cluster: the origin; Tencent CSS: the push domain). */
    pushUrl: rtmpBase.optional(),
    /** Low-latency (origin-direct) RTMP play base; default: cluster the push base, Tencent CSS the play base. */
    linkRtmpUrl: rtmpBase.optional(),
    /** Low-latency HTTP-FLV / WS-FLV play base; default: the audience FLV base. */
    linkFlvUrl: flvBase.optional(),
    /** Audience RTMP play base (edge / CDN); default: the push base (cluster) or the FLV base's host (Tencent CSS). */
    playRtmpUrl: rtmpBase.optional(),
    /** Audience HTTP-FLV / WS-FLV play base (edge / CDN), `http(s)://host[:port]`. */
    playFlvUrl: flvBase.optional(),
    /** Tencent CSS play anti-leech key: low-latency and audience URLs are signed with it (push URLs with `key`). */
    playKey: z.string().min(1).max(256).optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.requirePlaySign && config.key === undefined) {
      ctx.addIssue({ code: 'custom', path: ['requirePlaySign'], message: 'needs a signing key (--key)' });
    }
    if (config.stateFile !== undefined && config.redisUrl !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['stateFile'], message: 'with --redis-url the state lives in Redis; drop --state-file' });
    }
    if (config.origin === 'external' && config.key === undefined) {
      ctx.addIssue({ code: 'custom', path: ['origin'], message: 'an external origin needs a signing key (--key)' });
    }
    if (config.origin === 'external' && config.mediaProfile === 'embedded') {
      ctx.addIssue({ code: 'custom', path: ['mediaProfile'], message: 'an external origin needs --media-profile cluster or tencent-css' });
    }
    if (config.mediaProfile !== 'embedded') {
      if (config.pushUrl === undefined) ctx.addIssue({ code: 'custom', path: ['pushUrl'], message: `the ${config.mediaProfile} profile needs a push base (rtmp://host[:port])` });
      if (config.playFlvUrl === undefined) ctx.addIssue({ code: 'custom', path: ['playFlvUrl'], message: `the ${config.mediaProfile} profile needs an audience FLV base (http(s)://host[:port])` });
    }
    if (config.playKey !== undefined && config.mediaProfile !== 'tencent-css') {
      ctx.addIssue({ code: 'custom', path: ['playKey'], message: 'a separate play key is for the tencent-css profile (our hooks check plays with --key)' });
    }
  });

export type ServerConfig = z.output<typeof serverConfigSchema>;
export type ServerConfigInput = z.input<typeof serverConfigSchema>;

/** Field names as the CLI spells them, for error messages. */
const FLAG_NAMES: Record<string, string> = {
  host: '--host',
  rtmpPort: '--rtmp-port',
  httpPort: '--http-port',
  publicHost: '--public-host',
  key: '--key',
  linkQuota: '--link-quota',
  requirePlaySign: '--require-play-sign',
  logLevel: '--log-level',
  tokenKey: '--token-key',
  devLogin: '--dev-login',
  allowOrigin: '--allow-origin',
  stateFile: '--state-file',
  redisUrl: '--redis-url',
  nodeId: '--node-id',
  battleTestDurationSec: '--battle-test-duration-sec',
  battleResultSec: '--battle-result-sec',
  maxConnectionsPerIp: '--max-connections-per-ip',
  maxStreamCodesPerUser: '--max-stream-codes-per-user',
  linkPublishDeadlineSec: '--link-publish-deadline-sec',
  origin: '--origin',
  hookToken: '--hook-token',
  hookRelayPageUrl: '--hook-relay-page-url',
  hookRelayAddresses: '--hook-relay-addresses',
  hookLeaseSec: '--hook-lease-sec',
  tencentCallbackKey: '--tencent-callback-key',
  mediaProfile: '--media-profile',
  pushUrl: '--push-url',
  linkRtmpUrl: '--link-rtmp-url',
  linkFlvUrl: '--link-flv-url',
  playRtmpUrl: '--play-rtmp-url',
  playFlvUrl: '--play-flv-url',
  playKey: '--play-key',
};

export function flagNameOf(field: string): string {
  return FLAG_NAMES[field] ?? field;
}

/** Parses a configuration; throws ValidationError INVALID_CONFIG naming the first bad field. */
export function parseServerConfig(input: unknown): ServerConfig {
  const result = serverConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'config';
  throw new ValidationError('INVALID_CONFIG', field, `invalid configuration: ${field}: ${issue.message}`);
}
