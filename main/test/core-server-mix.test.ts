// The audience mix of a studio's room (spec §7): going live by default runs no server-side mix (the
// push URL has no t_id); the room option serverMix makes the server composite one stream, and
// switching it while live restarts the push with the new URL.
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent, startTestCore, waitForState, type TestCore } from './studio-test-core';

interface ApiStream {
  readonly code: string;
  readonly t_id: number | null;
  readonly mix: unknown;
}

async function streamOf(studio: TestCore, code: string): Promise<ApiStream | undefined> {
  const response = await fetch(`${studio.embedded().httpUrl}/api/streams`);
  const body = (await response.json()) as { streams: ApiStream[] };
  return body.streams.find((s) => s.code === code);
}

/** Polls /api/streams (bounded: 150 tries, 200 ms apart) until `predicate` holds. */
async function waitForStream(studio: TestCore, code: string, predicate: (s: ApiStream) => boolean, what: string): Promise<ApiStream> {
  let last: ApiStream | undefined;
  for (let i = 0; i < 150; i += 1) {
    last = await streamOf(studio, code);
    if (last && predicate(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

describe('StudioCore: client-side mix by default, server-side mix as a room option', () => {
  let studio: TestCore | undefined;
  afterEach(async () => {
    await studio?.close();
    studio = undefined;
  });

  it('goes live by default with no server mix: the stream has no t_id and /api/streams shows mix null', async () => {
    studio = await startTestCore();
    const { streamCode } = await studio.api.getSettings();
    await studio.api.goLive();
    const state = await waitForState(studio.api, (s) => s.live.status === 'live', 'live');
    expect(state.room?.serverMix).toBeNull();
    await nextEvent(studio.api, 'stats', (s) => s.frames > 0);
    const stream = await waitForStream(studio, streamCode, () => true, 'the stream');
    expect(stream.t_id).toBeNull();
    expect(stream.mix).toBeNull();
    expect(studio.embedded().server.getStream(streamCode)?.templateId ?? null).toBeNull();
  });

  it('with serverMix on, the server mixes the room; switching it off while live restarts the push without t_id', async () => {
    studio = await startTestCore();
    const { streamCode } = await studio.api.getSettings();
    const room = await studio.api.openRoom({ serverMix: { templateId: 1 } });
    expect(room.serverMix).toEqual({ templateId: 1 });
    await studio.api.goLive();
    await waitForState(studio.api, (s) => s.live.status === 'live', 'live');
    const mixed = await waitForStream(studio, streamCode, (s) => s.mix !== null, 'a server mix');
    expect(mixed.t_id).toBe(1);

    const off = await studio.api.updateRoom({ serverMix: null });
    expect(off.serverMix).toBeNull();
    const state = await waitForState(studio.api, (s) => s.live.status === 'live', 'live again');
    expect(state.room?.serverMix).toBeNull();
    const plain = await waitForStream(studio, streamCode, (s) => s.t_id === null && s.mix === null, 'the re-push without t_id');
    expect(plain.mix).toBeNull();
  });

  it('takes the server mix choice from the room settings when openRoom does not say', async () => {
    studio = await startTestCore();
    const settings = await studio.api.getSettings();
    await studio.api.updateSettings({ room: { ...settings.room, serverMix: true, templateId: 2 } });
    const room = await studio.api.openRoom();
    expect(room.serverMix).toEqual({ templateId: 2 });
    expect((await studio.api.getState()).room?.serverMix).toEqual({ templateId: 2 });
  });
});
