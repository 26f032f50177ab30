import { readFileSync } from 'node:fs';
import { parse, type DocumentNode } from 'graphql';

/** Reads and parses a subgraph's SDL file, failing at start-up with the path on a syntax error. */
export function loadTypeDefs(path: string): DocumentNode {
  const sdl = readFileSync(path, 'utf8');
  try {
    return parse(sdl);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}
