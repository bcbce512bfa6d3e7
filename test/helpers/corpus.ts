// Locating the shared reference corpus (../shared/corpus from the repository root). Tests that need
// it call `corpusOrSkip(t)` and are skipped with a message where it is absent.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/** Repository root (tests run from dist/test/..., so walk up to the directory with package.json). */
export const REPO_ROOT: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();

/** The corpus directory: $PEREGRINE_CORPUS, else ../shared/corpus next to the repository. */
export const CORPUS_DIR: string = process.env.PEREGRINE_CORPUS ?? path.resolve(REPO_ROOT, '..', 'shared', 'corpus');

export function corpusAvailable(): boolean {
  return existsSync(path.join(CORPUS_DIR, 'cases.json'));
}

/** Returns the corpus path, or skips the calling test (returns undefined) when it is absent. */
export function corpusOrSkip(t: TestContext): string | undefined {
  if (corpusAvailable()) return CORPUS_DIR;
  t.skip(`reference corpus not found at ${CORPUS_DIR} (set PEREGRINE_CORPUS)`);
  return undefined;
}

export function corpusPath(...parts: string[]): string {
  return path.join(CORPUS_DIR, ...parts);
}
