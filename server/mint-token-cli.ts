// Mints a signalling login token for a user, with the formula of docs/protocol.md, for operators
// who disable dev login and issue tokens from their own backend (or to try it by hand):
//   npm run server:mint-token -- --user alice [--ttl 86400] (--token-key K | --key SERVER_KEY)
// Prints one JSON line {"userId","token","expiresAt"}. Bad flags exit 2.
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { deriveTokenKey } from './signal/mount-signal';
import { mintUserToken } from './signal/user-sig';

const flagsSchema = z
  .object({
    user: z.string().min(1).max(128),
    ttl: z.coerce.number().int().min(1).max(366 * 24 * 3600).default(24 * 3600),
    tokenKey: z.string().min(16).optional(),
    key: z.string().min(1).optional(),
  })
  .refine((flags) => flags.tokenKey !== undefined || flags.key !== undefined, { message: 'give --token-key or --key', path: ['tokenKey'] });

function main(): void {
  const program = new Command('linkmic-mint-token')
    .requiredOption('--user <id>', 'user id the token is for')
    .option('--ttl <seconds>', 'validity in seconds (default 86400)')
    .option('--token-key <key>', 'the server\u2019s --token-key')
    .option('--key <key>', 'the server\u2019s --key (when it has no --token-key)')
    .exitOverride();
  try {
    program.parse(process.argv.slice(2), { from: 'user' });
  } catch (error) {
    process.exit(error instanceof CommanderError && error.exitCode === 0 ? 0 : 2);
  }
  const env = { tokenKey: process.env.LINKMIC_TOKEN_KEY, key: process.env.LINKMIC_KEY };
  const parsed = flagsSchema.safeParse({ ...env, ...program.opts() });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    process.stderr.write(`linkmic-mint-token: INVALID_ARGUMENT: --${String(issue.path[0] ?? 'flags')}: ${issue.message}\n`);
    process.exit(2);
  }
  const flags = parsed.data;
  const key = flags.tokenKey ?? deriveTokenKey(flags.key);
  const expiresAt = Math.floor(Date.now() / 1000) + flags.ttl;
  process.stdout.write(`${JSON.stringify({ userId: flags.user, token: mintUserToken(key, flags.user, expiresAt), expiresAt })}\n`);
}

main();
