/**
 * Parsing one setting through its schema, and the errors that say what is wrong: the setting, the bad value
 * and what is allowed.
 */
import type * as z from 'zod/mini';
import { AggwatchError } from '../errors';

/** A setting's schema: takes the setting as written or as typed (`Input`), gives its typed value. */
export type SettingSchema<T, Input = unknown> = z.ZodMiniType<T, Input>;

/** One setting is invalid: names the setting, the bad value and what is allowed. */
export class SettingsError extends AggwatchError {
  override readonly name = 'SettingsError';
  readonly code = 'InvalidSetting';
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly allowed: string,
    options?: ErrorOptions,
  ) {
    super(`Invalid ${key}: ${JSON.stringify(value)}. Allowed: ${allowed}.`, options);
  }
}

/** The function's environment is invalid: every problem, one per line, so that one deploy fixes them all. */
export class ConfigurationError extends AggwatchError {
  override readonly name = 'ConfigurationError';
  readonly code = 'InvalidConfiguration';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  }
}

/**
 * The value of setting `key` (an environment variable, a context key, a prop or a command-line flag), or a
 * SettingsError naming it. A bad item of a list is named on its own; otherwise the value is named as given.
 */
export function parseSetting<T>(key: string, schema: SettingSchema<T>, value: unknown): T {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const bad = issue !== undefined && issue.path.length > 0 ? issue.input : value;
  throw new SettingsError(key, bad, issue?.message ?? 'a valid value', { cause: result.error });
}
