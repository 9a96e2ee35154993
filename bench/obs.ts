// bench:obs — OBS Studio as the engine, against a real headless OBS (Xvfb, software GL) and our
// origin: go-live to first media at the origin, link accepted to the guest visible in OBS's
// program (its red picture inside its box of a program screenshot), and OBS's CPU share while
// streaming 640x360@30 with one guest. Ends with one JSON line. "Link accepted" is the call to
// ObsCoHostInputs.set() with a guest stream already publishing and read once (warm); there is no
// signalling here, so a real accept's round trip and the guest's go-live are not in the figure.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { buildAudienceUrl } from '../common/urls';
import { ObsClient } from '../main/obs/obs-client';
import { ObsCoHostInputs } from '../main/obs/obs-co-host-inputs';
import { ObsStream } from '../main/obs/obs-stream';
import { TestOrigin } from '../main/test/helpers/engine-origin';
import { HeadlessObs } from '../main/test/helpers/obs-headless';
import { isRed, meanColour, programScreenshot } from '../main/test/helpers/obs-screenshot';

/** Resolves at the first `bytes` of an HTTP-FLV body (header + metadata + the first media tags). */
function firstMedia(url: string, bytes = 4096, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const attempt = () => {
      let got = 0;
      const request = http.get(url, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          if (Date.now() > deadline) reject(new Error(`no stream at ${url}`));
          else setTimeout(attempt, 50);
          return;
        }
        response.on('data', (chunk: Buffer) => {
          got += chunk.length;
          if (got >= bytes) {
            resolve(performance.now());
            request.destroy();
          }
        });
        response.on('end', () => (Date.now() > deadline ? reject(new Error('stream ended')) : setTimeout(attempt, 50)));
      });
      request.on('error', () => (Date.now() > deadline ? reject(new Error(`no stream at ${url}`)) : setTimeout(attempt, 50)));
    };
    attempt();
  });
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

async function main(): Promise<void> {
  const [obs, origin] = await Promise.all([HeadlessObs.start(), TestOrigin.start()]);
  const client = await ObsClient.connect({ url: obs.url, password: obs.password });
  const guest = spawn(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'color=c=red:s=320x240:r=15', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15', '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', origin.pushUrl('bench_guest', { layer: 's' })],
    { stdio: 'ignore' },
  );
  try {
    const version = await client.call('GetVersion');
    const goLiveAt = performance.now();
    const media = firstMedia(origin.flvUrl('bench_obs'));
    const stream = await ObsStream.start(client, { url: origin.pushUrl('bench_obs'), statsIntervalMs: 0 });
    const goLiveToFirstMediaMs = (await media) - goLiveAt;
    await firstMedia(origin.flvUrl('bench_guest'));

    const box = { x: 0.6, y: 0.55, w: 0.35, h: 0.4 };
    const inputs = new ObsCoHostInputs(client);
    const acceptedAt = performance.now();
    await inputs.set([{ userId: 'bench-guest', url: buildAudienceUrl({ protocol: 'rtmp', endpoint: { rtmpHost: origin.rtmpHost, httpHost: origin.httpHost }, streamCode: 'bench_guest' }), rect: box, muted: false, volume: 1 }]);
    let visibleAt = 0;
    for (let i = 0; i < 600 && visibleAt === 0; i++) {
      if (isRed(meanColour(await programScreenshot(client, 320, 180), box))) visibleAt = performance.now();
    }
    if (visibleAt === 0) throw new Error('the guest never showed in OBS');
    const linkToVisibleMs = visibleAt - acceptedAt;

    const ticksPerSecond = 100;
    const windowMs = 10_000;
    const before = cpuTicks(obs.pid);
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const obsCpuShare = (cpuTicks(obs.pid) - before) / ticksPerSecond / ((performance.now() - started) / 1000);

    await inputs.close();
    await stream.stop();
    const result = {
      bench: 'obs',
      obsVersion: version.obsVersion,
      obsWebSocketVersion: version.obsWebSocketVersion,
      goLiveToFirstMediaMs: Math.round(goLiveToFirstMediaMs),
      linkAcceptedToGuestVisibleMs: Math.round(linkToVisibleMs),
      obsCpuShareOfOneCore: Math.round(obsCpuShare * 1000) / 1000,
      canvas: '640x360@30 x264 ultrafast + one 320x240 guest',
    };
    console.log(`go-live → first media at the origin: ${result.goLiveToFirstMediaMs} ms; link → guest visible in OBS's program: ${result.linkAcceptedToGuestVisibleMs} ms; OBS CPU: ${result.obsCpuShareOfOneCore} cores`);
    console.log(JSON.stringify(result));
  } finally {
    if (guest.exitCode === null && guest.pid !== undefined) process.kill(guest.pid, 'SIGTERM');
    await new Promise((resolve) => (guest.exitCode !== null ? resolve(null) : guest.once('exit', resolve)));
    await client.close();
    await obs.stop();
    await origin.close();
  }
}

await main();
