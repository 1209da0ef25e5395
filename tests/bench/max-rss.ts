import fs from 'node:fs';

/**
 * Preloaded (`node --require …/max-rss.js`) into a process the harness measures: as the process
 * exits it writes its own peak resident set size in bytes (getrusage's maxRSS) to the file named
 * by BENCH_MAX_RSS_FILE. Read in the process itself, the figure is exact and counts nothing else.
 */
const file = process.env.BENCH_MAX_RSS_FILE;
if (file) process.on('exit', () => fs.writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
