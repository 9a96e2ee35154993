// A parent process for the orphan test: pushes with the engine, prints ffmpeg's PID once live,
// then waits to be killed (or exits without closing anything when told to).
import { PushEngine } from '../../engine/push-engine';

const [url, mode] = process.argv.slice(2);
const engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg' });
await engine.start({ url: url as string, role: 'small', sources: { video: { kind: 'testPattern' }, audio: { kind: 'pcm', format: 's16le' } } });
process.stdout.write(`${JSON.stringify({ ffmpegPid: engine.pushPid })}\n`);
if (mode === 'exit') process.exit(0); // no close(): an app that quits abruptly
setInterval(() => undefined, 1000);
