// A child process for the last-resort spec: a TCP echo server whose data handler is unguarded on
// purpose. "throw" makes the handler throw (an error raised by one connection); "timer" schedules
// a throw from a timer (an error outside any connection). Prints {"port":N} once listening.
import net from 'node:net';
import { pino } from 'pino';
import { installLastResort } from '../../net/last-resort';

const logger = pino({ level: 'info' }, pino.destination({ fd: 2, sync: true }));
installLastResort(logger);

const server = net.createServer((socket) => {
  socket.on('error', () => undefined);
  socket.on('data', (data: Buffer) => {
    const text = data.toString('utf8').trim();
    if (text === 'throw') throw new Error('a peer sent what this handler cannot take');
    if (text === 'timer') {
      setTimeout(() => {
        throw new Error('a bug outside any connection');
      }, 20);
      socket.end('scheduled\n');
      return;
    }
    socket.end(`echo ${text}\n`);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as net.AddressInfo;
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
