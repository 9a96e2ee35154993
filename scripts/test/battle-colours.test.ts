// One source for the PK battle bar's colours: the server mix draws BATTLE_BAR_COLOURS
// (common/signal/pk-battle.ts), and the console's and viewer page's stylesheets, which cannot
// import it, must paint the same two colours.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BATTLE_BAR_COLOURS } from '../../common/signal/pk-battle';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function backgroundOf(css: string, selector: string): string | undefined {
  const rule = new RegExp(`${selector.replace(/[.#]/g, '\\$&')}\\s*\\{([^}]*)\\}`).exec(css)?.[1];
  return /background:\s*(#[0-9a-fA-F]{6})/.exec(rule ?? '')?.[1]?.toLowerCase();
}

describe('PK battle bar colours', () => {
  it.each([
    ['renderer/console/console.css', '.pk-score-ours', '.pk-score-theirs'],
    ['renderer/viewer/viewer.css', '#battle-ours', '#battle-theirs'],
  ])('%s paints our side and theirs in the server mix colours', async (file, ours, theirs) => {
    const css = await readFile(path.join(ROOT, file), 'utf8');
    expect(backgroundOf(css, ours)).toBe(BATTLE_BAR_COLOURS.own);
    expect(backgroundOf(css, theirs)).toBe(BATTLE_BAR_COLOURS.peer);
  });
});
