// Preloaded (`node --require`) into each process the CLI start-up benchmark times: at exit it
// appends the process's own CPU time (user + system, all its threads) in milliseconds to the file
// named by ROLLGATE_CPU_LOG. CPU time is what a start-up costs; wall time also counts the time the
// process waited for a core on a busy machine. CommonJS, so a bare `node -e 0` stays free of the
// ES module loader.
'use strict';
const { appendFileSync } = require('node:fs');

const log = process.env.ROLLGATE_CPU_LOG;
if (log) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    appendFileSync(log, `${(user + system) / 1000}\n`);
  });
}
