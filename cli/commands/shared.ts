/**
 * What the command modules share: how an action is run, and the help text's examples.
 */
import type { Command } from 'commander';
import type { Session } from '../session';

/** A command's work, given the invocation's session and the command's own options. */
export type Handler<O> = (session: Session, options: O) => Promise<void>;

/** Turns a handler into a commander action (the session is made from the global options). */
export type Runner = <O>(handler: Handler<O>) => (options: O, command: Command) => Promise<void>;

export function examples(lines: readonly [command: string, what: string][]): string {
  return `\nExamples:\n${lines.map(([c, w]) => `  # ${w}\n  $ ${c}`).join('\n')}\n`;
}

export const JSON_HELP = 'print a JSON array of the stored objects instead of a table';

/**
 * Newest first; entries of the same instant by aggregator, source and region, so the order does not depend on
 * which shard answered first. The sort is stable: one source's events of one instant keep the store's order.
 */
export function newestFirst(
  a: { at: string; aggregator: string; sourceId: string; sourceType: string; region: string },
  b: typeof a,
): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  return (
    a.aggregator.localeCompare(b.aggregator) ||
    a.sourceId.localeCompare(b.sourceId) ||
    a.sourceType.localeCompare(b.sourceType) ||
    a.region.localeCompare(b.region)
  );
}
