/**
 * Validation of the command-line values, reusing the monitor's shared validators where they fit.
 * Every failure is a UsageError (exit code 2) naming the flag, the value and what is accepted.
 */
import { KNOWN_STATUSES, STALE } from '../core/model';
import { SettingsError, aggregatorNames, splitList, tableName } from '../core/settings';
import { REMOVED } from '../adapters/store/table-schema';
import { UsageError } from './errors';

/** Statuses the table can hold a source under: Config's, plus the monitor's STALE and REMOVED. */
export const STORED_STATUSES: readonly string[] = [...KNOWN_STATUSES, STALE, REMOVED];
export const SOURCE_TYPES = ['ACCOUNT', 'ORGANIZATION'] as const;

function usage<T>(validate: () => T): T {
  try {
    return validate();
  } catch (e) {
    if (e instanceof SettingsError) throw new UsageError(e.message, { cause: e });
    throw e;
  }
}

/** `--aggregator a` or `--aggregator a,b`. */
export function aggregatorOption(value: string): string[] {
  return usage(() => {
    const names = aggregatorNames('--aggregator', value);
    if (names.length === 0) throw new SettingsError('--aggregator', value, 'one or more aggregator names, comma-separated');
    return names;
  });
}

/**
 * Statuses to look up in the table: the known ones in any case, anything else kept verbatim (Config may
 * report a status the monitor does not know yet, and the table keeps it as sent).
 */
export function storedStatusesOption(value: string): string[] {
  return usage(() => {
    const items = splitList(value);
    const allowed = `one or more statuses, comma-separated, such as ${STORED_STATUSES.join(', ')}`;
    if (items.length === 0) throw new SettingsError('--status', value, allowed);
    return [
      ...new Set(
        items.map((item) => {
          if (/[\s#]/.test(item)) throw new SettingsError('--status', item, allowed);
          const upper = item.toUpperCase();
          return STORED_STATUSES.includes(upper) ? upper : item;
        }),
      ),
    ];
  });
}

/** Statuses for Config's UpdateStatus filter: only the ones the API accepts. */
export function liveStatusesOption(value: string): string[] {
  return usage(() => {
    const items = splitList(value).map((s) => s.toUpperCase());
    const allowed = `one or more of ${KNOWN_STATUSES.join(', ')}, comma-separated (the filter Config accepts)`;
    if (items.length === 0) throw new SettingsError('--status', value, allowed);
    for (const item of items) {
      if (!(KNOWN_STATUSES as readonly string[]).includes(item)) throw new SettingsError('--status', item, allowed);
    }
    return [...new Set(items)];
  });
}

export function sourceTypeOption(value: string): string {
  const upper = value.trim().toUpperCase();
  if (!(SOURCE_TYPES as readonly string[]).includes(upper)) {
    const error = new SettingsError('--type', value, SOURCE_TYPES.join(' or '));
    throw new UsageError(error.message, { cause: error });
  }
  return upper;
}

export function tableOption(value: string): string {
  return usage(() => tableName('--table', value.trim()));
}

export function nonEmpty(flag: string, value: string, what: string): string {
  const v = value.trim();
  if (v === '') {
    const error = new SettingsError(flag, value, what);
    throw new UsageError(error.message, { cause: error });
  }
  return v;
}
