// Reruns every load benchmark in turn and leaves the latest numbers in docs/benchmarks.md.
// The mix runs first, because its saturation search sets the expected peak the others use.
// Then come the fault runs, the soak, the gateway comparison (loadtest/gateways.mjs) and the
// cost of tracing (loadtest/tracingCost.mjs).
// Run: npm run bench [-- --short]   (--short fits in a few minutes; the full run takes about 40)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from './lib/report.mjs';
import { root } from './lib/stack.mjs';

const options = parseArgs();
const shortArgs = options.short ? ['--short'] : [];

/** Scripts in the order they run; a missing optional script is skipped with a message. */
const SCRIPTS = [
  { file: 'mix.mjs', args: shortArgs },
  { file: 'faults.mjs', args: shortArgs },
  { file: 'soak.mjs', args: shortArgs },
  { file: 'gateways.mjs', args: shortArgs, optional: true },
  // Prints its table; its results are copied into docs/benchmarks.md by hand.
  { file: 'tracingCost.mjs', args: [], env: options.short ? { BENCH_ROUNDS: '2' } : {} },
];

function runScript(file, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'loadtest', file), ...args], {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  const failed = [];
  for (const script of SCRIPTS) {
    if (script.optional && !existsSync(join(root, 'loadtest', script.file))) {
      process.stdout.write(`\n== loadtest/${script.file} does not exist; skipped\n`);
      continue;
    }
    process.stdout.write(`\n== node loadtest/${script.file} ${script.args.join(' ')}\n`);
    const code = await runScript(script.file, script.args, script.env);
    if (code !== 0) failed.push(`${script.file} (exit ${code})`);
  }
  if (failed.length > 0) {
    process.stdout.write(`\nfailed: ${failed.join(', ')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
