import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Finds the repository root: the nearest folder above this file that contains turbo.json. */
export function findRepoRoot(start = __dirname): string {
  let folder = start;
  for (let depth = 0; depth < 10; depth++) {
    if (existsSync(join(folder, 'turbo.json'))) return folder;
    folder = dirname(folder);
  }
  throw new Error(`findRepoRoot: no turbo.json above ${start}`);
}
