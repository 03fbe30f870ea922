/**
 * Preloaded with `node --import` by the benchmark: writes the process's peak RSS
 * (KB) to $BENCH_RSS_FILE when it exits. Adds nothing else.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
