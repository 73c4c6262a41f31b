#!/usr/bin/env node
// aggwatch: the config-aggregator-watch CLI. Installed from npm, it runs the compiled CLI (dist/cli/, built at pack
// time); in a clone of the repository, where the sources are, it runs them through tsx's loader (no build step, never
// a stale build).
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

// `aggwatch ... | head`: the reader went away; stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const source = new URL('../cli/main.ts', import.meta.url);
let cli;
if (existsSync(source)) {
  // tsx is a devDependency: present in a clone after `npm ci`, never needed by the package.
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import('../dist/cli/aggwatch.mjs');
}
// exitCode rather than exit(): piped output is flushed before the process ends.
process.exitCode = await cli.runCli(process.argv.slice(2));
