#!/usr/bin/env node
// aggwatch: the config-aggregator-watch CLI (cli/), TypeScript run through tsx's loader.
import { register } from 'tsx/esm/api';

// `aggwatch ... | head`: the reader went away; stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

register();
const { runCli } = await import('../cli/main.ts');
// exitCode rather than exit(): piped output is flushed before the process ends.
process.exitCode = await runCli(process.argv.slice(2));
