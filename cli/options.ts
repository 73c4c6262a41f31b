/**
 * The command-line values, parsed through settings schemas: the monitor's own where a flag is one of its
 * settings (--aggregator, --table), the CLI's below otherwise. Every failure is a UsageError (exit code 2)
 * naming the flag, the value and what is accepted.
 */
import * as z from 'zod/mini';
import { KNOWN_STATUSES, STALE } from '../core/model';
import { SETTINGS, SettingsError, listOf, parseSetting, statusesOf, type SettingSchema } from '../core/settings';
import { REMOVED } from '../adapters/store/table-schema';
import { UsageError } from './errors';

/** Statuses the table can hold a source under: Config's, plus the monitor's STALE and REMOVED. */
export const STORED_STATUSES: readonly string[] = [...KNOWN_STATUSES, STALE, REMOVED];
export const SOURCE_TYPES = ['ACCOUNT', 'ORGANIZATION'] as const;

const STORED_ALLOWED = `one or more statuses, comma-separated, such as ${STORED_STATUSES.join(', ')}`;

const OPTIONS = {
  aggregators: SETTINGS.aggregators.check(z.minLength(1, { error: 'one or more aggregator names, comma-separated' })),
  /**
   * Statuses to look up in the table: the known ones in any case, anything else kept verbatim (Config may
   * report a status the monitor does not know yet, and the table keeps it as sent).
   */
  storedStatuses: listOf(
    z.pipe(
      z.string().check(z.regex(/^[^\s#]+$/, { error: STORED_ALLOWED })),
      z.transform((item: string) => (STORED_STATUSES.includes(item.toUpperCase()) ? item.toUpperCase() : item)),
    ),
  ).check(z.minLength(1, { error: STORED_ALLOWED })),
  /** Statuses for Config's UpdateStatus filter: only the ones the API accepts. */
  liveStatuses: statusesOf(
    KNOWN_STATUSES,
    `one or more of ${KNOWN_STATUSES.join(', ')}, comma-separated (the filter Config accepts)`,
  ),
  sourceType: z.pipe(z.string().check(z.trim(), z.toUpperCase()), z.enum(SOURCE_TYPES, { error: SOURCE_TYPES.join(' or ') })),
} as const;

/** The value of `flag`, or a UsageError naming it, the value and what is allowed. */
function option<T>(flag: string, schema: SettingSchema<T>, value: string): T {
  try {
    return parseSetting(flag, schema, value);
  } catch (e) {
    if (e instanceof SettingsError) throw new UsageError(e.message, { cause: e });
    throw e;
  }
}

/** `--aggregator a` or `--aggregator a,b`. */
export function aggregatorOption(value: string): string[] {
  return option('--aggregator', OPTIONS.aggregators, value);
}

export function storedStatusesOption(value: string): string[] {
  return option('--status', OPTIONS.storedStatuses, value);
}

export function liveStatusesOption(value: string): string[] {
  return option('--status', OPTIONS.liveStatuses, value);
}

export function sourceTypeOption(value: string): string {
  return option('--type', OPTIONS.sourceType, value);
}

export function tableOption(value: string): string {
  return option('--table', SETTINGS.tableName, value.trim());
}

/** A value that is not blank, trimmed; `what` says what the flag takes. */
export function nonEmpty(flag: string, value: string, what: string): string {
  return option(flag, z.string().check(z.trim(), z.minLength(1, { error: what })), value);
}
