// Settings persisted as one JSON file, parsed with the contract's schema. A missing file gives
// defaults; a corrupt or invalid one is reported (INVALID_CONFIG naming the field), moved aside
// as `<file>.corrupt-<time>` and replaced by defaults: never a crash. Writes are atomic
// (temp file + rename). Plain Node, so it runs under tests and the web host.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ErrorPayload } from '../../common/errors';
import { studioSettingsSchema, validationErrorFromZod, type StudioSettings } from '../../common/studio-api';
import { defaultSettings } from './default-settings';

export interface SettingsLoadResult {
  readonly settings: StudioSettings;
  /** Why the file was not used (null when it was, or did not exist). */
  readonly problem: ErrorPayload | null;
  /** Where the unusable file was moved, if it was. */
  readonly movedTo: string | null;
}

export interface SettingsStore {
  load(): Promise<SettingsLoadResult>;
  save(settings: StudioSettings): Promise<void>;
}

/** Keeps settings in memory only (tests, a throwaway web host). */
export class MemorySettingsStore implements SettingsStore {
  constructor(private settings: StudioSettings = defaultSettings()) {}
  async load(): Promise<SettingsLoadResult> {
    return { settings: structuredClone(this.settings), problem: null, movedTo: null };
  }
  async save(settings: StudioSettings): Promise<void> {
    this.settings = structuredClone(settings);
  }
}

export class FileSettingsStore implements SettingsStore {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly makeDefaults: () => StudioSettings = defaultSettings,
  ) {}

  async load(): Promise<SettingsLoadResult> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { settings: this.makeDefaults(), problem: null, movedTo: null };
      return { settings: this.makeDefaults(), problem: { name: 'LinkMicError', code: 'INVALID_CONFIG', message: `cannot read ${this.file}: ${(error as Error).message}` }, movedTo: null };
    }
    let problem: ErrorPayload;
    try {
      const parsed = studioSettingsSchema.safeParse(JSON.parse(text));
      if (parsed.success) return { settings: parsed.data, problem: null, movedTo: null };
      const error = validationErrorFromZod(parsed.error, `settings file ${this.file}`);
      problem = { name: error.name, code: 'INVALID_CONFIG', message: error.message, ...(error.field === undefined ? {} : { field: error.field }) };
    } catch (error) {
      problem = { name: 'LinkMicError', code: 'INVALID_CONFIG', message: `settings file ${this.file} is not JSON: ${(error as Error).message}` };
    }
    const movedTo = `${this.file}.corrupt-${Date.now()}`;
    let moved: string | null = movedTo;
    try {
      await rename(this.file, movedTo);
    } catch {
      moved = null;
    }
    const settings = this.makeDefaults();
    await this.save(settings).catch(() => undefined);
    return { settings, problem, movedTo: moved };
  }

  save(settings: StudioSettings): Promise<void> {
    const valid = studioSettingsSchema.parse(settings);
    // Serialise writes so a slow one never overwrites a newer one.
    this.writing = this.writing.catch(() => undefined).then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600 });
      await rename(temp, this.file);
    });
    return this.writing;
  }
}
