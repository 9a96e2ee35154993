// Debian's nginx with libnginx-mod-rtmp as a child of the test (or bench): a generated conf in a
// temp dir (`-p prefix -c conf`, `daemon off`, one process so one PID stops it), an rtmp block from
// server/hooks/nginx-rtmp-conf.ts, the module loaded from /usr/lib/nginx/modules/.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { nginxRtmpBlock, type NginxRtmpNodeOptions } from '../../hooks/nginx-rtmp-conf';
import { startChild, type Child } from './media';

export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
/** `dpkg -L libnginx-mod-rtmp` */
export const NGINX_RTMP_MODULE = process.env.NGINX_RTMP_MODULE ?? '/usr/lib/nginx/modules/ngx_rtmp_module.so';

/** Why nginx-rtmp cannot run here, or undefined when it can. */
export function nginxRtmpMissing(): string | undefined {
  if (!existsSync(NGINX)) return `nginx is not installed (${NGINX}; apt-get install nginx libnginx-mod-rtmp)`;
  if (!existsSync(NGINX_RTMP_MODULE)) return `the nginx rtmp module is not installed (${NGINX_RTMP_MODULE}; apt-get install libnginx-mod-rtmp)`;
  return undefined;
}

export interface NginxRtmpNode {
  readonly child: Child;
  readonly port: number;
  /** rtmp://127.0.0.1:{port}/live */
  readonly rtmpBase: string;
  /** nginx's error log so far (hook refusals show here). */
  errorLog(): string;
  /** Stops nginx by PID, waits for its exit, removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** The whole nginx.conf of one node. */
export function nginxConf(dir: string, rtmp: NginxRtmpNodeOptions): string {
  return [
    `load_module ${NGINX_RTMP_MODULE};`,
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${path.join(dir, 'nginx.pid')};`,
    `error_log ${path.join(dir, 'error.log')} info;`,
    'events { worker_connections 1024; }',
    nginxRtmpBlock(rtmp),
  ].join('\n');
}

/** Starts nginx-rtmp on 127.0.0.1:`port`; resolves once it accepts TCP connections. */
export async function startNginxRtmp(port: number, rtmp: Omit<NginxRtmpNodeOptions, 'listen'>): Promise<NginxRtmpNode> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `linkmic-nginx-${rtmp.node}-`));
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConf(dir, { ...rtmp, listen: `127.0.0.1:${port}` }));
  const child = startChild(NGINX, ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')]);
  const readLog = (): string => {
    try {
      return readFileSync(path.join(dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  let stopped: Promise<void> | undefined;
  const node: NginxRtmpNode = {
    child,
    port,
    rtmpBase: `rtmp://127.0.0.1:${port}/live`,
    errorLog: readLog,
    stop: () =>
      (stopped ??= child.stop().then(() => rmSync(dir, { recursive: true, force: true }))),
  };
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.process.exitCode !== null || Date.now() > deadline) {
      const log = readLog();
      await node.stop();
      throw new Error(`nginx did not start on port ${port}: ${child.stderr}${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return node;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
