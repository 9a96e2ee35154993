// The import layering is enforced by eslint; this spec proves the rules bite, by linting probe
// files placed in each layer (in memory, via lintText with a virtual file path).
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals').map((m) => m.message);
}

describe('import layering', () => {
  it('keeps common/ free of Node, Electron, the DOM and other layers', async () => {
    expect(await restrictedImports('common/probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).not.toEqual([]);
    expect(await restrictedImports('common/probe.ts', "import { app } from 'electron';\nexport const x = app;\n")).not.toEqual([]);
    expect(await restrictedImports('common/probe.ts', "import { x } from '../server/thing';\nexport const y = x;\n")).not.toEqual([]);
    expect(await restrictedImports('common/probe.ts', 'export const x = process.env;\n')).not.toEqual([]);
    expect(await restrictedImports('common/probe.ts', "import { z } from 'zod';\nimport { md5 } from './md5';\nexport const x = [z, md5];\n")).toEqual([]);
  });

  it('keeps server/ and main/engine/ free of Electron', async () => {
    expect(await restrictedImports('server/probe.ts', "import { app } from 'electron';\nexport const x = app;\n")).not.toEqual([]);
    expect(await restrictedImports('server/probe.ts', "import { x } from '../main/thing';\nexport const y = x;\n")).not.toEqual([]);
    expect(await restrictedImports('main/engine/probe.ts', "import { app } from 'electron';\nexport const x = app;\n")).not.toEqual([]);
    expect(await restrictedImports('server/probe.ts', "import { createServer } from 'node:http';\nexport const x = createServer;\n")).toEqual([]);
  });

  it('keeps node/, the shared Node floor, to Node, npm packages and common/', async () => {
    expect(await restrictedImports('node/probe.ts', "import { x } from '../server/thing';\nexport const y = x;\n")).not.toEqual([]);
    expect(await restrictedImports('node/probe.ts', "import { x } from '../main/thing';\nexport const y = x;\n")).not.toEqual([]);
    expect(await restrictedImports('node/probe.ts', "import { app } from 'electron';\nexport const x = app;\n")).not.toEqual([]);
    expect(await restrictedImports('node/probe.ts', "import { spawn } from 'node:child_process';\nimport { pino } from 'pino';\nimport { LinkMicError } from '../common';\nexport const x = [spawn, pino, LinkMicError];\n")).toEqual([]);
    expect(await restrictedImports('common/probe.ts', "import { x } from '../node/logger';\nexport const y = x;\n")).not.toEqual([]);
    expect(await restrictedImports('renderer/probe.ts', "import { x } from '../node/logger';\nexport const y = x;\n")).not.toEqual([]);
    expect(await restrictedImports('preload/probe.ts', "import { x } from '../node/logger';\nexport const y = x;\n")).not.toEqual([]);
  });

  it('lets main/ embed server/ only through server/index.ts, and use node/ directly', async () => {
    expect(await restrictedImports('main/core/probe.ts', "import { LinkMicServer } from '../../server/link-mic-server';\nexport const x = LinkMicServer;\n")).not.toEqual([]);
    expect(await restrictedImports('main/engine/probe.ts', "import { runFfmpeg } from '../../server/mixer/mix-encoder';\nexport const x = runFfmpeg;\n")).not.toEqual([]);
    expect(await restrictedImports('main/test/probe.ts', "import { Origin } from '../../server/origin/origin';\nexport const x = Origin;\n")).not.toEqual([]);
    expect(await restrictedImports('main/core/probe.ts', "import { LinkMicServer } from '../../server';\nexport const x = LinkMicServer;\n")).toEqual([]);
    expect(await restrictedImports('main/engine/probe.ts', "import { FfmpegProcess } from '../../node/ffmpeg/ffmpeg-process';\nexport const x = FfmpegProcess;\n")).toEqual([]);
  });

  it('lets the renderer see only common/ and its own files', async () => {
    expect(await restrictedImports('renderer/probe.ts', "import { x } from '../main/thing';\nexport const y = x;\n")).not.toEqual([]);
    expect(await restrictedImports('renderer/probe.ts', "import { x } from '../preload/api';\nexport const y = x;\n")).not.toEqual([]);
    expect(await restrictedImports('renderer/probe.ts', "import fs from 'node:fs';\nexport const y = fs;\n")).not.toEqual([]);
    expect(await restrictedImports('renderer/probe.ts', "import { LinkMicError } from '../common/errors';\nexport const y = LinkMicError;\n")).toEqual([]);
  });

  it('keeps preload/ to electron and common/', async () => {
    expect(await restrictedImports('preload/probe.ts', "import fs from 'node:fs';\nexport const y = fs;\n")).not.toEqual([]);
    expect(await restrictedImports('preload/probe.ts', "import { x } from '../main/thing';\nexport const y = x;\n")).not.toEqual([]);
    expect(await restrictedImports('preload/probe.ts', "import { contextBridge } from 'electron';\nexport const y = contextBridge;\n")).toEqual([]);
  });
});
