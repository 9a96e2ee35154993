// Electron's safeStorage as a StringCipher (the object comes in from the Electron glue, so this
// file stays plain Node and testable).
import type { StringCipher } from './secret-store';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux: which backend (basic_text means "not really encrypted"). */
  getSelectedStorageBackend?(): string;
}

export function safeStorageCipher(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): StringCipher {
  // On Linux without a keyring Electron falls back to a hard-coded key ("basic_text"): not encryption.
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
  const available = safeStorage.isEncryptionAvailable() && backend !== 'basic_text';
  return {
    available,
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (sealed) => safeStorage.decryptString(sealed),
  };
}
