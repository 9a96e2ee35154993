// Secrets (remote server tokens, keys) behind one interface. In the Electron app they are
// encrypted with safeStorage (settings/safe-storage-cipher.ts); under plain Node (tests, the web
// host) a file store keeps them in a 0600 file and says plainly that it does not encrypt.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

export interface SecretStore {
  /** Whether values are encrypted at rest (shown to the user). */
  readonly encrypted: boolean;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Encrypts and decrypts one string (Electron's safeStorage, or a fake in tests). */
export interface StringCipher {
  readonly available: boolean;
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}

const fileSchema = z.record(z.string(), z.string());

/**
 * Secrets in one JSON file, each value base64 of the cipher's output, or plain text when no cipher
 * is given (then `encrypted` is false). An unreadable file counts as empty (secrets are re-entered).
 */
export class FileSecretStore implements SecretStore {
  readonly encrypted: boolean;
  private cache: Record<string, string> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly cipher: StringCipher | null = null,
  ) {
    this.encrypted = cipher !== null && cipher.available;
  }

  async get(key: string): Promise<string | null> {
    const stored = (await this.read())[key];
    if (stored === undefined) return null;
    if (!this.encrypted) return stored;
    try {
      return this.cipher!.decrypt(Buffer.from(stored, 'base64'));
    } catch {
      return null;
    }
  }

  async set(key: string, value: string): Promise<void> {
    const all = await this.read();
    all[key] = this.encrypted ? this.cipher!.encrypt(value).toString('base64') : value;
    await this.write(all);
  }

  async delete(key: string): Promise<void> {
    const all = await this.read();
    if (!(key in all)) return;
    delete all[key];
    await this.write(all);
  }

  private async read(): Promise<Record<string, string>> {
    if (this.cache) return this.cache;
    try {
      const parsed = fileSchema.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      this.cache = parsed.success ? parsed.data : {};
    } catch {
      this.cache = {};
    }
    return this.cache;
  }

  private write(all: Record<string, string>): Promise<void> {
    this.cache = all;
    const text = `${JSON.stringify({ ...all }, null, 2)}\n`;
    this.writing = this.writing.catch(() => undefined).then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      await writeFile(temp, text, { mode: 0o600 });
      await rename(temp, this.file);
    });
    return this.writing;
  }
}

/** Secrets in memory (tests, a throwaway web host). Not encrypted. */
export class MemorySecretStore implements SecretStore {
  readonly encrypted = false;
  private readonly values = new Map<string, string>();
  async get(key: string): Promise<string | null> {
    return this.values.get(key) ?? null;
  }
  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}
