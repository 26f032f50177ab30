import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './codeInventory';

/** One instruction of a Dockerfile, with continuation lines joined. */
export interface Instruction {
  keyword: string;
  /** Everything after the keyword, on one line. */
  text: string;
}

/** One build stage: its base image, its name, and its instructions after `FROM`. */
export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/**
 * Parses a Dockerfile into stages. It handles what this repository's Dockerfile uses: comments,
 * backslash continuations and `FROM <image> AS <name>`; heredocs and parser directives other
 * than the syntax line are not supported.
 */
export function parseDockerfile(file = path.join(repoRoot, 'Dockerfile')): Stage[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of lines) {
    // Comment lines are dropped, also between continuation lines, as Docker does.
    if (/^\s*#/.test(line)) continue;
    const continued = /\\\s*$/.test(line);
    pending += ` ${line.replace(/\\\s*$/, '').trim()}`;
    if (continued) continue;
    const text = pending.trim();
    pending = '';
    if (text === '') continue;
    const [keyword, ...rest] = text.split(/\s+/);
    instructions.push({ keyword: keyword!.toUpperCase(), text: rest.join(' ') });
  }

  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.text);
      stages.push({ from: match?.[1] ?? instruction.text, name: match?.[2], instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

/** Returns the variables that `ENV key=value ...` instructions of a stage set. */
export function stageEnvironment(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, text } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    for (const match of text.matchAll(/(\w+)=("[^"]*"|\S+)/g)) {
      env[match[1]!] = match[2]!.replace(/^"|"$/g, '');
    }
  }
  return env;
}

/** Returns the exec-form command of a `HEALTHCHECK ... CMD [...]` instruction of a stage. */
export function stageHealthcheck(stage: Stage): string[] | undefined {
  const instruction = stage.instructions.find(({ keyword }) => keyword === 'HEALTHCHECK');
  const match = instruction && /\bCMD\s+(\[.*\])\s*$/.exec(instruction.text);
  return match ? (JSON.parse(match[1]!) as string[]) : undefined;
}

/**
 * Returns the paths (shell globs) that the `cp -r --parents <paths> /runtime/` step of the build
 * stage copies into the image.
 */
export function runtimeCopyGlobs(stages: Stage[]): string[] {
  for (const stage of stages) {
    for (const { keyword, text } of stage.instructions) {
      const match = keyword === 'RUN' && /cp -r --parents (.+?) \/runtime\/?/.exec(text);
      if (match) return match[1]!.split(/\s+/);
    }
  }
  throw new Error('No "cp -r --parents <paths> /runtime/" step in the Dockerfile');
}

/**
 * Returns whether a repository-relative path matches a shell glob, or lies under a folder that
 * matches it. `*` matches within one path segment.
 */
export function matchesGlob(relativePath: string, glob: string): boolean {
  const pattern = glob
    .split('/')
    .map((segment) =>
      segment
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('/');
  return new RegExp(`^${pattern}(/.*)?$`).test(relativePath);
}

/**
 * Returns whether `.dockerignore` keeps a repository-relative path out of the build context.
 * Patterns follow Docker's rules as far as this repository uses them: `**` matches any number
 * of folders, a match on a folder excludes everything under it, `!` re-includes.
 */
export function isDockerIgnored(
  relativePath: string,
  ignoreFile = path.join(repoRoot, '.dockerignore'),
): boolean {
  const patterns = fs
    .readFileSync(ignoreFile, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const glob = negated ? raw.slice(1) : raw;
    const pattern = glob
      .split('/')
      .map((segment) =>
        segment === '**'
          ? '(?:.*)'
          : segment
              .split('*')
              .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
              .join('[^/]*'),
      )
      .join('/')
      .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
    if (new RegExp(`^${pattern}(/.*)?$`).test(relativePath)) ignored = !negated;
  }
  return ignored;
}
