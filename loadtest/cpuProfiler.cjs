// Preloaded with NODE_OPTIONS=--require by `gateways.mjs --cpu-prof=FOLDER`, because Node 20
// does not accept --cpu-prof in NODE_OPTIONS. Profiles the gateway process only and writes
// FOLDER/gateway-<pid>.cpuprofile when it exits.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const folder = process.env.BENCH_CPU_PROFILE_DIR;
if (folder && /gateway[/\\]dist[/\\]server\.js$/.test(process.argv[1] ?? '')) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.on('exit', () => {
    // Same-thread inspector sessions run their callbacks synchronously, as 'exit' requires.
    session.post('Profiler.stop', (error, result) => {
      if (!error) {
        writeFileSync(
          join(folder, `gateway-${process.pid}.cpuprofile`),
          JSON.stringify(result.profile),
        );
      }
    });
  });
}
