// The signalling store settings of the CLI: --state-file, --redis-url, --node-id (and LINKMIC_*),
// validated by the server's zod schema.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../cli-config';

describe('signalling store settings', () => {
  it('reads --state-file, --redis-url and --node-id from flags and LINKMIC_* variables', () => {
    expect(resolveConfig(['--state-file', '/var/lib/linkmic/signal.json'], {})).toMatchObject({ stateFile: '/var/lib/linkmic/signal.json' });
    expect(resolveConfig(['--redis-url', 'redis://10.0.0.5:6379/2', '--node-id', 'sig-a'], {})).toMatchObject({ redisUrl: 'redis://10.0.0.5:6379/2', nodeId: 'sig-a' });
    expect(resolveConfig([], { LINKMIC_REDIS_URL: 'rediss://cache.example:6380', LINKMIC_NODE_ID: 'b' })).toMatchObject({ redisUrl: 'rediss://cache.example:6380', nodeId: 'b' });
    expect(resolveConfig([], {})).not.toHaveProperty('redisUrl');
  });

  it('refuses a Redis URL that is not redis://, a node id with spaces, and a state file together with Redis, naming the flag', () => {
    expect(() => resolveConfig(['--redis-url', 'http://10.0.0.5:6379'], {})).toThrow(/redisUrl: must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => resolveConfig(['--node-id', 'node a'], {})).toThrow(/nodeId/);
    expect(() => resolveConfig(['--redis-url', 'redis://127.0.0.1:6379', '--state-file', 's.json'], {})).toThrow(/stateFile: with --redis-url the state lives in Redis/);
  });
});
