/**
 * aggwatch: query the config-aggregator-watch history from a terminal.
 * `runCli` runs one command in-process and returns its exit code: 0 ok, 1 the request failed, 2 bad usage.
 */
import { Command, CommanderError } from 'commander';
import { defineCurrent } from './commands/current';
import { defineFailures } from './commands/failures';
import { defineHistory } from './commands/history';
import { defineReport } from './commands/report';
import { defineRuns } from './commands/runs';
import { examples, type Runner } from './commands/shared';
import { defineStatus } from './commands/status';
import { explain } from './errors';
import { resolveIo, type CliIo, type Io } from './io';
import { Session, type GlobalOptions } from './session';
import { DEFAULT_STACK, TABLE_OUTPUT } from './stack';
// An import rather than a read at run time: the package's compiled CLI (dist/cli/) carries the version it was built as.
import packageJson from '../package.json' with { type: 'json' };

export type { CliClients, CliIo } from './io';

const { version } = packageJson;

export async function runCli(argv: string[], cliIo?: CliIo): Promise<number> {
  const io = resolveIo(cliIo);
  let session: Session | undefined;
  const run: Runner = (handler) => async (options, command) => {
    session = new Session(io, command.optsWithGlobals<GlobalOptions>());
    await handler(session, options);
  };
  try {
    await buildProgram(io, run).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    // Commander has already printed its message (or the help / version it was asked for).
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const error = explain(e, session?.errorContext ?? {});
    io.stderr.write(`aggwatch: ${error.message}\n`);
    if (io.env.AGGWATCH_DEBUG && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
    return error.exitCode;
  } finally {
    session?.destroy();
  }
}

export function buildProgram(io: Io, run: Runner): Command {
  const program = new Command('aggwatch')
    .description(
      'Query the AWS Config aggregator source history kept by config-aggregator-watch, with your usual AWS credentials.',
    )
    .version(version, '-V, --version')
    .option('--table <name>', `DynamoDB table (default: the ${TABLE_OUTPUT} output of the stack)`)
    .option('--stack <name>', 'CloudFormation stack to read the table name from', DEFAULT_STACK)
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE, or the default credential chain)')
    .option('--region <region>', 'AWS region (default: AWS_REGION, or the profile\'s region)')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`aggwatch: ${s.replace(/^error: /, '')}`),
      getOutHasColors: () => io.colour,
      getErrHasColors: () => io.colour,
    });
  // Subcommands created by .command() inherit exitOverride and the output configuration.
  defineStatus(program, run);
  defineCurrent(program, run);
  defineHistory(program, run);
  defineFailures(program, run);
  defineRuns(program, run);
  defineReport(program, run);
  program.addHelpText(
    'after',
    `${examples([
      ['aggwatch status', 'live status from AWS Config (no stack needed)'],
      ['aggwatch current', 'FAILED and OUTDATED sources, as last recorded'],
      ['aggwatch history --source 111111111111 --since 7d', "one source's timeline"],
      ['aggwatch failures --since 24h', 'what failed in the last day'],
      ['aggwatch runs --profile prod --region eu-west-1', "the monitor's recent runs"],
      ['aggwatch report --out report.html', 'an HTML status report: sources by region, error codes, trend'],
      ['aggwatch current --table my-table --json', 'a table given by name, as JSON'],
    ])}
Run "aggwatch <command> --help" for a command's options.
Times are shown in your local time zone. Exit codes: 0 ok, 1 the request failed, 2 invalid usage.
`,
  );
  return program;
}
