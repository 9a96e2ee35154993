// The studio as a web host in one call: StudioCore on the real parts + the WebHost serving the
// console. Used by the web-host CLI, the launcher and tests.
import { createStudioCore, type CreateStudioCoreOptions } from './core/create-studio-core';
import type { StudioCore } from './core/studio-core';
import { WebHost } from './web-host';

export interface StudioWebHostOptions extends CreateStudioCoreOptions {
  readonly rendererDir: string;
  readonly host?: string;
  readonly port?: number;
  readonly token?: string;
}

export interface StudioWebHost {
  readonly core: StudioCore;
  readonly web: WebHost;
  /** Stops the console server, the push (ffmpeg) and the embedded server. Idempotent. */
  close(): Promise<void>;
}

export async function startStudioWebHost(options: StudioWebHostOptions): Promise<StudioWebHost> {
  const core = createStudioCore(options);
  await core.start();
  let web: WebHost;
  try {
    web = await WebHost.start({
      core,
      rendererDir: options.rendererDir,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.token === undefined ? {} : { token: options.token }),
    });
  } catch (error) {
    await core.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    core,
    web,
    close: () =>
      (closing ??= (async () => {
        await web.close();
        await core.close();
      })()),
  };
}
