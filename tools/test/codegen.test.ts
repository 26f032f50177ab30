import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, subgraphs } from '../src/subgraphs';

const run = promisify(execFile);

describe('generated files', () => {
  // Codegen runs in a scratch copy of the inputs inside the repository, so that it finds the
  // installed plugins but never touches the committed files.
  const scratchRoot = join(repoRoot, '.data');
  let scratch = '';

  beforeAll(async () => {
    mkdirSync(scratchRoot, { recursive: true });
    scratch = mkdtempSync(join(scratchRoot, 'codegen-check-'));
    mkdirSync(join(scratch, 'schema', 'operations'), { recursive: true });
    mkdirSync(join(scratch, 'tools', 'codegen'), { recursive: true });
    const inputs = [
      'codegen.ts',
      '.prettierrc.json',
      '.prettierignore',
      'schema/supergraph.graphql',
      'tools/codegen/persistedOperations.cjs',
      ...readdirSync(join(repoRoot, 'schema', 'operations')).map(
        (file) => `schema/operations/${file}`,
      ),
    ];
    for (const file of inputs) copyFileSync(join(repoRoot, file), join(scratch, file));
    for (const { name } of subgraphs) {
      mkdirSync(join(scratch, 'subgraphs', name, 'src'), { recursive: true });
      const schema = join('subgraphs', name, 'src', 'schema.graphql');
      copyFileSync(join(repoRoot, schema), join(scratch, schema));
    }
    const bin = join(repoRoot, 'node_modules', '.bin');
    await run(join(bin, 'graphql-codegen'), ['--config', 'codegen.ts', '--silent'], {
      cwd: scratch,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      timeout: 120_000,
    });
  }, 150_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('are up to date with every subgraph SDL', () => {
    for (const { name } of subgraphs) {
      const file = join('subgraphs', name, 'src', 'generated', 'resolvers.ts');
      const fresh = readFileSync(join(scratch, file), 'utf8');
      const committed = readFileSync(join(repoRoot, file), 'utf8');
      // On failure: run `npm run codegen` and commit the generated files.
      expect({ file, stale: committed !== fresh }).toEqual({ file, stale: false });
    }
  });

  it('include a fresh safelist manifest of schema/operations', () => {
    for (const file of [
      'schema/persisted-operations.json',
      'deploy/kubernetes/base/supergraph/persisted-operations.json',
    ]) {
      const fresh = readFileSync(join(scratch, file), 'utf8');
      const committed = readFileSync(join(repoRoot, file), 'utf8');
      // On failure: run `npm run codegen` and commit both copies of the manifest.
      expect({ file, stale: committed !== fresh }).toEqual({ file, stale: false });
    }
  });
});
