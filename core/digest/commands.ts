/**
 * The `aggwatch` command lines the e-mail prints, in one place: the only file of the core that knows the CLI's
 * commands and flags. test/cli/queries.test.ts runs what is printed against the real CLI, so they cannot drift.
 */

/**
 * An argument that is not plainly safe, single-quoted for a POSIX shell. Kept over shell-quote's quote(): both
 * read back exactly in bash and dash (3,020 fuzzed strings), but quote() adds 1.3 KB to the function bundle
 * (CommonJS, not tree-shaken) for no gain. The tests read the printed commands back with shell-quote's parse.
 */
export const shellArg = (s: string): string => (/^[\w.:@/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const aggwatch = (...args: string[]) => `npx aggwatch ${args.map(shellArg).join(' ')}`;

/** One source's history; without a source, the command with placeholders for the reader to fill in. */
export function historyCommand(aggregator: string, source?: { readonly sourceId: string; readonly region: string }): string {
  return source
    ? aggwatch('history', '--aggregator', aggregator, '--source', source.sourceId, '--source-region', source.region)
    : `${aggwatch('history', '--aggregator', aggregator)} --source <source id> --source-region <region>`;
}

/** The sources of an aggregator currently in a status. */
export function currentCommand(aggregator: string, status: string): string {
  return aggwatch('current', '--aggregator', aggregator, '--status', status);
}
