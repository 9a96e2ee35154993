// First-run settings from the environment (LINKMIC_STUDIO_INITIAL_SETTINGS, a JSON object): a
// settings patch and a server profile (with its token) written only when the data folder has no
// settings.json yet, so a provisioned or test instance starts signed in to its server. An existing
// settings file always wins; the token goes through the secret store (safeStorage in the app).
import { access } from 'node:fs/promises';
import { z } from 'zod';
import { serverProfileInputSchema, settingsPatchSchema, studioSettingsSchema, validationErrorFromZod, type ServerProfileInput, type StudioSettings } from '../../common/studio-api';
import { remoteTokenKey } from '../core/server-session';
import { defaultSettings } from './default-settings';
import type { SecretStore } from './secret-store';
import type { FileSettingsStore } from './settings-store';

export const INITIAL_SETTINGS_ENV = 'LINKMIC_STUDIO_INITIAL_SETTINGS';

export const initialSettingsSchema = z
  .object({
    /** Top-level settings to start from (each replaces the default whole). */
    settings: settingsPatchSchema.optional(),
    /** The server to use; a remote profile may carry the user's token. */
    server: serverProfileInputSchema.optional(),
  })
  .strict();
export type InitialSettings = z.infer<typeof initialSettingsSchema>;

/** Reads the variable: null when unset or empty; throws a ValidationError naming the field when invalid. */
export function initialSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): InitialSettings | null {
  const text = env[INITIAL_SETTINGS_ENV];
  if (text === undefined || text.trim() === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw validationErrorFromZod(new z.ZodError([{ code: 'custom', path: [], message: `not JSON (${(error as Error).message})`, input: text }]), INITIAL_SETTINGS_ENV);
  }
  const parsed = initialSettingsSchema.safeParse(json);
  if (!parsed.success) throw validationErrorFromZod(parsed.error, INITIAL_SETTINGS_ENV);
  return parsed.data;
}

export interface ApplyInitialSettingsOptions {
  readonly initial: InitialSettings;
  readonly settings: FileSettingsStore;
  readonly secrets: SecretStore;
  readonly makeDefaults?: () => StudioSettings;
}

/** Writes the first-run settings (and token) unless settings.json exists; says which happened. */
export async function applyInitialSettings(options: ApplyInitialSettingsOptions): Promise<'applied' | 'kept'> {
  if (await exists(options.settings.file)) return 'kept';
  const base = (options.makeDefaults ?? defaultSettings)();
  const server = options.initial.server === undefined ? base.server : settingsServer(options.initial.server);
  const settings = studioSettingsSchema.parse({ ...base, ...options.initial.settings, server });
  const profile = options.initial.server;
  if (profile?.kind === 'remote' && profile.token !== undefined) await options.secrets.set(remoteTokenKey(profile.httpUrl, profile.userId), profile.token);
  await options.settings.save(settings);
  return 'applied';
}

function settingsServer(profile: ServerProfileInput): StudioSettings['server'] {
  if (profile.kind === 'remote') return { kind: 'remote', httpUrl: profile.httpUrl, userId: profile.userId };
  return { kind: 'embedded', rtmpPort: profile.rtmpPort ?? 0, httpPort: profile.httpPort ?? 0 };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
