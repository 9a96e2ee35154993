// Node entry of the web host (bundled to dist/main/web-host-cli.js): see web-host-runner.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWebHost } from './web-host-runner';

void runWebHost({ argv: process.argv.slice(2), hereDir: path.dirname(fileURLToPath(import.meta.url)) });
