// The mixer's edges: a bad t_id is refused at publish time with the reason; a cross-room PK is
// mixed side by side (the pair comes from the signalling service); a mix whose encoder dies is
// restarted and says so in /api/streams; a mix that keeps failing stops serving and its audience
// goes back to the original stream.
import { afterEach, describe, expect, it } from 'vitest';
import { templateGeometry, type Rect } from '../../common/layout';
import type { SignalClient } from '../../common/signal/signal-client';
import type { LinkMicServer, LinkMicServerOptions } from '../link-mic-server';
import type { RefusedEvent } from '../origin/origin-types';
import { devLoginClient } from './helpers/dev-login-client';
import { startChild, startTestServer, waitFor, FFMPEG, type Child } from './helpers/media';
import { FrameGrabber, pushColour, pushSmallColour } from './mixer-media';

const FULL: Rect = { x: 0, y: 0, w: 1, h: 1 };
let server: LinkMicServer | undefined;
const children: Array<{ stop(): Promise<void> }> = [];
const clients: SignalClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(children.splice(0).map((child) => child.stop()));
  await server?.close();
  server = undefined;
});

function track<T extends { stop(): Promise<void> }>(child: T): T {
  children.push(child);
  return child;
}

async function start(options: LinkMicServerOptions = {}): Promise<LinkMicServer> {
  server = await startTestServer(options);
  return server;
}

async function login(userId: string): Promise<SignalClient> {
  const client = await devLoginClient(server!, userId);
  clients.push(client);
  return client;
}

describe('mixer lifecycle', () => {
  it('refuses a push whose t_id names no template, with the reason', async () => {
    await start();
    const refused: RefusedEvent[] = [];
    server!.on('refused', (event) => refused.push(event));
    const signature = server!.urls.signature('badtemplate');
    const url = `${server!.rtmpUrl}/live/badtemplate?mix=layer:b;session_id:42;t_id:9&txSecret=${signature.txSecret}&txTime=${signature.txTime}`;
    const push: Child = track(
      startChild(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'color=c=red:s=360x640:r=15', '-t', '5', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'flv', url]),
    );
    await push.exited;
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ action: 'publish', streamCode: 'badtemplate', code: 'INVALID_TEMPLATE' });
    expect(refused[0]!.message).toMatch(/t_id/);
    expect(push.stderr).toMatch(/INVALID_TEMPLATE/);
    expect(server!.mixer.status('badtemplate')).toBeUndefined();
  });

  it('mixes a cross-room PK side by side: each room’s audience sees its own host left and the other host right', async () => {
    await start();
    const hostA = await login('pkhosta');
    const hostB = await login('pkhostb');
    const roomA = await hostA.openRoom({ streamCode: 'pkrooma', templateId: 2 });
    const roomB = await hostB.openRoom({ streamCode: 'pkroomb', templateId: 2 });
    expect(roomA.pushUrl).toMatch(/t_id(:|%3A)2/);
    track(pushColour(roomA.pushUrl, 'red'));
    track(pushColour(roomB.pushUrl, 'blue'));
    await waitFor(() => server!.mixer.status('pkrooma')?.state === 'running' && server!.mixer.status('pkroomb')?.state === 'running', 'both mixes');
    const audienceA = track(new FrameGrabber(`${server!.httpUrl}/live/pkrooma.flv`));
    const audienceB = track(new FrameGrabber(`${server!.httpUrl}/live/pkroomb.flv`));
    await waitFor(() => audienceA.colourAt(FULL) === 'red' && audienceB.colourAt(FULL) === 'blue', 'each host alone');
    const { pkId } = await hostA.invitePk('pkroomb');
    await hostB.acceptPk(pkId);
    const [left, right] = templateGeometry(2, 2);
    await waitFor(() => audienceA.colourAt(left!) === 'red' && audienceA.colourAt(right!) === 'blue', `room A: red | blue (${audienceA.colourAt(left!)} | ${audienceA.colourAt(right!)})`, 20_000);
    await waitFor(() => audienceB.colourAt(left!) === 'blue' && audienceB.colourAt(right!) === 'red', `room B: blue | red (${audienceB.colourAt(left!)} | ${audienceB.colourAt(right!)})`, 20_000);
    expect(server!.mixer.status('pkrooma')!.parties.map((p) => p.role)).toEqual(['big', 'pk-peer']);
    await hostA.endPk(pkId);
    await waitFor(() => audienceA.colourAt(FULL) === 'red', 'room A alone again after the PK', 20_000);
  });

  it('restarts a mix whose encoder dies and reports it in /api/streams; the audience stream goes on', async () => {
    await start();
    track(pushColour(server!.urls.pushUrl('diebig', { layer: 'b', sessionId: 31, templateId: 1 }), 'red'));
    track(pushSmallColour(server!.urls.pushUrl('diesmall', { layer: 's', sessionId: 31, templateId: 1 }), 'blue'));
    await waitFor(() => server!.mixer.status('diebig')?.state === 'running', 'the mix');
    const viewer = track(new FrameGrabber(`${server!.httpUrl}/live/diebig.flv`));
    await waitFor(() => viewer.frames > 5, 'audience frames');
    const encoderPid = server!.mixer.usage('diebig')!.pids[0]!;
    process.kill(encoderPid, 'SIGKILL');
    await waitFor(() => (server!.mixer.status('diebig')?.restarts ?? 0) >= 1 && server!.mixer.status('diebig')?.state === 'running', 'the restart');
    const api = (await (await fetch(`${server!.httpUrl}/api/streams`)).json()) as { streams: Array<{ code: string; mix: { state: string; restarts: number; lastError: string | null } | null }> };
    const mix = api.streams.find((s) => s.code === 'diebig')!.mix!;
    expect(mix).toMatchObject({ state: 'running', restarts: 1 });
    expect(mix.lastError).toMatch(/mix encoder/);
    // the audience stays on the mix (a new publish of the same internal stream) and keeps getting pictures
    const frames = viewer.frames;
    await waitFor(() => viewer.frames > frames + 15 && viewer.colourAt(templateGeometry(1, 2)[1]!) === 'blue', 'mixed pictures after the restart', 20_000);
  });

  it('stops serving a mix that cannot keep up again and again: audiences go back to the original stream', async () => {
    // an impossible speed floor makes every encoder "too slow"
    await start({ mixer: { minSpeed: 50, slowForMs: 300, maxRestartsPerMinute: 1 } });
    track(pushColour(server!.urls.pushUrl('slowbig', { layer: 'b', sessionId: 32, templateId: 1 }), 'red'));
    track(pushSmallColour(server!.urls.pushUrl('slowsmall', { layer: 's', sessionId: 32, templateId: 1 }), 'blue'));
    await waitFor(() => server!.mixer.status('slowbig')?.state === 'failed', 'the mix to give up', 30_000);
    const status = server!.mixer.status('slowbig')!;
    expect(status.restarts).toBeGreaterThanOrEqual(2);
    expect(status.lastError).toMatch(/cannot keep up/);
    expect(server!.mixer.audienceSource('slowbig')).toBeUndefined();
    const viewer = track(new FrameGrabber(`${server!.httpUrl}/live/slowbig.flv`));
    // the original: no picture-in-picture
    await waitFor(() => viewer.frames > 3, 'audience frames of the original');
    expect(viewer.colourAt(templateGeometry(1, 2)[1]!)).toBe('red');
  });
});
