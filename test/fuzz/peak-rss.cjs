// Preloaded into each CLI child of corpus-memory.test.ts (`node --require`): at exit, the
// process's peak resident set (getrusage ru_maxrss, in KB) goes to the file PEAK_RSS_FILE.
// A process killed before it can write has no figure: the test counts that as over the limit.
'use strict';
const file = process.env.PEAK_RSS_FILE;
if (file) {
  process.on('exit', () => {
    require('node:fs').writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
