import { describe, expect, it } from 'vitest';
import { SETTINGS, SettingsError, parseSetting, type SettingSchema } from '../../core/settings';

describe('SETTINGS', () => {
  it.each(Object.keys(SETTINGS))('%s says what is allowed for any bad value, never a generic message', (key) => {
    // Prepare
    const schema: SettingSchema<unknown> = SETTINGS[key as keyof typeof SETTINGS];
    const bad: unknown[] = [{ x: 1 }, null, ['ok', 7], Number.NaN, -1, 'not,valid values!', '', [], 'x'.repeat(300)];

    // Act
    const errors = bad.flatMap((value) => {
      try {
        parseSetting(key, schema, value);
        return [];
      } catch (e) {
        return [e as SettingsError];
      }
    });

    // Assess
    expect(errors.length).toBeGreaterThan(4);
    for (const error of errors) {
      expect(error).toBeInstanceOf(SettingsError);
      expect(error.allowed).not.toMatch(/^Invalid input|^$/);
      expect(error.message.startsWith(`Invalid ${key}: `)).toBe(true);
    }
  });
});
