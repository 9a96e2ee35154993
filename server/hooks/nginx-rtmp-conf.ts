// The `rtmp { … }` block that makes nginx-rtmp (libnginx-mod-rtmp) an origin or an edge of a
// link-mic cluster: every publish and play asks our hooks (server/hooks/mount-hooks.ts), on_update
// renews leases and drops streams whose txTime passed, edges pull from the origin marked as
// relays. docs/deploy.md prints it; the cluster tests and bench:cluster run nginx with it.
import { APP_NAME } from '../../common';

export interface NginxRtmpNodeOptions {
  readonly role: 'origin' | 'edge';
  /** The name this node gives itself in its hook URLs (/hooks/nginx-rtmp/{node}). */
  readonly node: string;
  /** `host:port` the RTMP server listens on. */
  readonly listen: string;
  /** Base URL of the link-mic server's hooks, `http://host:port` (HTTP only: nginx-rtmp has no TLS client). */
  readonly hooksUrl: string;
  /** The server's hook token (`--hook-token`). */
  readonly hookToken?: string;
  /** Edge: the origin(s) to pull from, `host:port` each. */
  readonly origins?: readonly string[];
  /** Edge: the pageUrl marker of its pulls (`--hook-relay-page-url`). */
  readonly relayPageUrl?: string;
  /** Seconds between on_update calls (a third of `--hook-lease-sec`; default 30). */
  readonly updateSec?: number;
}

/** The rtmp block of one node; nginx's worker_processes must be 1 (nginx-rtmp keeps state per worker). */
export function nginxRtmpBlock(options: NginxRtmpNodeOptions): string {
  const token = options.hookToken === undefined ? '' : `?token=${encodeURIComponent(options.hookToken)}`;
  const hook = `${options.hooksUrl.replace(/\/$/, '')}/hooks/nginx-rtmp/${options.node}${token}`;
  const lines = [
    'rtmp {',
    '    server {',
    `        listen ${options.listen};`,
    '        chunk_size 4096;',
    `        application ${APP_NAME} {`,
    '            live on;',
    '            wait_key on;',
    '            drop_idle_publisher 10s;',
    `            on_publish ${hook};`,
    `            on_play ${hook};`,
    `            on_publish_done ${hook};`,
    `            on_play_done ${hook};`,
    `            on_update ${hook};`,
    `            notify_update_timeout ${options.updateSec ?? 30}s;`,
    '            notify_update_strict on;',
    '            notify_relay_redirect off;',
  ];
  if (options.role === 'edge') {
    if (!options.origins || options.origins.length === 0) throw new TypeError('an edge needs the origin(s) it pulls from');
    const marker = options.relayPageUrl === undefined ? '' : ` pageUrl=${options.relayPageUrl}`;
    // Only the pulled streams publish here: the local relay is recognised by our hooks.
    for (const origin of options.origins) lines.push(`            pull rtmp://${origin}/${APP_NAME}${marker};`);
  }
  lines.push('        }', '    }', '}');
  return `${lines.join('\n')}\n`;
}
