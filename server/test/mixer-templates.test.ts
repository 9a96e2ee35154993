// The server-side mix, end to end with real ffmpeg: hosts push flat colours with
// `mix=layer:b|s;session_id:N;t_id:T`, the big host's ordinary audience stream is decoded and
// each template rectangle (common/layout.ts geometry) is checked for the right host's colour.
import { afterEach, describe, expect, it } from 'vitest';
import { templateGeometry, type Rect } from '../../common/layout';
import type { LinkMicServer } from '../link-mic-server';
import { startTestServer, waitFor, type Child } from './helpers/media';
import { FrameGrabber, pushColour, pushSmallColour, type Colour } from './mixer-media';

const FULL: Rect = { x: 0, y: 0, w: 1, h: 1 };
const TOP_LEFT: Rect = { x: 0, y: 0, w: 0.4, h: 0.4 };

let server: LinkMicServer | undefined;
const children: Array<{ stop(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop()));
  await server?.close();
  server = undefined;
});

function track<T extends { stop(): Promise<void> }>(child: T): T {
  children.push(child);
  return child;
}

async function stopChild(child: Child): Promise<void> {
  await child.stop();
  children.splice(children.indexOf(child), 1);
}

function push(code: string, layer: 'b' | 's', sessionId: number, templateId: number, colour: Colour): Child {
  const url = server!.urls.pushUrl(code, { layer, sessionId, templateId });
  return track(layer === 'b' ? pushColour(url, colour) : pushSmallColour(url, colour));
}

async function expectColour(grabber: FrameGrabber, rect: Rect, colour: Colour, what: string): Promise<void> {
  await waitFor(
    () => grabber.colourAt(rect) === colour,
    `${what}: ${colour} (last seen ${grabber.colourAt(rect)} after ${grabber.frames} frames; ${grabber.stderr}; mixes ${JSON.stringify(server?.mixer.list())})`,
    20_000,
  );
}

/** Decodes the audience stream of `code` once its mix serves (an earlier audience is moved over by a reconnect). */
async function audience(code: string): Promise<FrameGrabber> {
  await waitFor(() => server!.mixer.status(code)?.state === 'running', `the mix of ${code} to run`);
  return track(new FrameGrabber(`${server!.httpUrl}/live/${code}.flv`));
}

describe('server-side mix', () => {
  it('t_id:1 shows the small host as a picture-in-picture at the bottom right of the big host’s audience stream, and removes it when the small host stops', async () => {
    server = await startTestServer();
    push('bigred', 'b', 1234, 1, 'red');
    const viewer = await audience('bigred');
    await expectColour(viewer, FULL, 'red', 'the big host alone');
    const small = push('smallblue', 's', 1234, 1, 'blue');
    const pip = templateGeometry(1, 2)[1]!;
    await expectColour(viewer, pip, 'blue', 'the PiP tile');
    expect(viewer.colourAt(TOP_LEFT)).toBe('red');
    // a low-latency link play (with session_id) still gets the original, not the mix
    const link = track(new FrameGrabber(server.urls.linkPlayUrls('bigred', 1234).httpFlv));
    await waitFor(() => link.latest !== null, 'a link frame');
    expect(link.colourAt(pip)).toBe('red');
    const status = server.mixer.status('bigred')!;
    expect(status.parties.map((p) => p.streamCode)).toEqual(['bigred', 'smallblue']);
    expect(status.templateId).toBe(1);
    const framesBefore = viewer.frames;
    await stopChild(small);
    await expectColour(viewer, pip, 'red', 'the PiP tile after the small host left');
    // the audience stream went on through the change (one continuous mix output)
    expect(viewer.frames).toBeGreaterThan(framesBefore);
    const api = (await (await fetch(`${server.httpUrl}/api/streams`)).json()) as { streams: Array<{ code: string; mix: { state: string; restarts: number } | null }> };
    const big = api.streams.find((s) => s.code === 'bigred')!;
    expect(big.mix?.state).toBe('running');
  });

  it('t_id:2 puts two hosts side by side', async () => {
    server = await startTestServer();
    push('pkred', 'b', 77, 2, 'red');
    const viewer = await audience('pkred');
    await expectColour(viewer, FULL, 'red', 'the host alone fills the frame');
    push('pkblue', 's', 77, 2, 'blue');
    const [left, right] = templateGeometry(2, 2);
    await expectColour(viewer, right!, 'blue', 'the right half');
    await expectColour(viewer, left!, 'red', 'the left half');
  });

  it('t_id:3 lays four hosts out in a 2x2 grid and closes the gap when one leaves', async () => {
    server = await startTestServer();
    push('gridred', 'b', 99, 3, 'red');
    const viewer = await audience('gridred');
    await expectColour(viewer, FULL, 'red', 'the host alone');
    push('gridblue', 's', 99, 3, 'blue');
    await waitFor(() => server!.mixer.status('gridred')?.parties.length === 2, 'two parties');
    const yellow = push('gridyellow', 's', 99, 3, 'yellow');
    await waitFor(() => server!.mixer.status('gridred')?.parties.length === 3, 'three parties');
    push('gridwhite', 's', 99, 3, 'white');
    const quads = templateGeometry(3, 4);
    await expectColour(viewer, quads[3]!, 'white', 'the fourth tile');
    await expectColour(viewer, quads[0]!, 'red', 'the first tile');
    await expectColour(viewer, quads[1]!, 'blue', 'the second tile');
    await expectColour(viewer, quads[2]!, 'yellow', 'the third tile');
    await stopChild(yellow);
    const three = templateGeometry(3, 3);
    await expectColour(viewer, three[2]!, 'white', 'the third tile after the yellow host left');
  });
});
