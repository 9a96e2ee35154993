// Finds the Electron binary the `electron` npm package installed (absent when it was installed
// with ELECTRON_SKIP_BINARY_DOWNLOAD=1, as on CI machines).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export function findElectronBinary(fromUrl: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (env['LINKMIC_ELECTRON_PATH']) return existsSync(env['LINKMIC_ELECTRON_PATH']) ? env['LINKMIC_ELECTRON_PATH'] : null;
  try {
    // The package's main module returns the binary's path, or throws when it was never downloaded.
    const binary = createRequire(fromUrl)('electron') as unknown;
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}
