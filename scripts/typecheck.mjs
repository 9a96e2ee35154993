// Type-checks each layer as its own project, so a layer cannot see types it must not use
// (common/ gets no Node or DOM types; renderer/ gets DOM but no Node).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const projects = ['common', 'node', 'server', 'main', 'preload', 'renderer', 'tsconfig.test.json'];
let failed = 0;
for (const project of projects) {
  const result = spawnSync(process.execPath, [tsc, '-p', project, '--noEmit'], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    console.error(`typecheck: ${project} failed`);
  }
}
if (failed > 0) process.exit(1);
console.log(`typecheck: ${projects.length} projects clean`);
