#!/usr/bin/env node
// aggwatch: the config-aggregator-watch CLI (cli/), TypeScript run through tsx's loader.
import { register } from 'tsx/esm/api';

// `aggwatch ... | head`: the reader went away; stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

// Node 20 is supported until the SDK drops it; its nine-line notice on every command would drown the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { runCli } = await import('../cli/main.ts');
// exitCode rather than exit(): piped output is flushed before the process ends.
process.exitCode = await runCli(process.argv.slice(2));
