import { describe, expect, it } from 'vitest';
import type { NoticeKind } from '../../core/notices';
import { DEFAULTS, SMS_NOTICE_KINDS, SettingsError, settingsFromEnvironment, smsNotices } from '../../core/settings';

const REQUIRED = { TABLE_NAME: 'aggwatch-history', TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts' };

describe('smsNotices', () => {
  it('defaults to new failures and monitor errors', () => {
    // Act
    const settings = settingsFromEnvironment(REQUIRED);

    // Assess
    expect(settings.smsNotices).toStrictEqual(['failure', 'monitor-error']);
    expect(DEFAULTS.smsNotices).toStrictEqual(['failure', 'monitor-error']);
  });

  it('allows every notice kind, in any case, from a list or a comma-separated value, without duplicates', () => {
    // Prepare
    const every: Record<NoticeKind, true> = { failure: true, reminder: true, recovery: true, 'monitor-error': true };

    // Act
    const fromText = smsNotices('SMS_NOTICES', ' Recovery,MONITOR-ERROR , recovery ');
    const fromList = smsNotices('smsNotices', [...SMS_NOTICE_KINDS]);

    // Assess
    expect(fromText).toStrictEqual(['recovery', 'monitor-error']);
    expect(fromList).toStrictEqual(Object.keys(every));
  });

  it.each([
    ['failures', '"failures"'],
    ['failure,sms', '"sms"'],
    [' , ', '" , "'],
  ])('rejects %j, naming the value and the kinds allowed', (value, named) => {
    // Act
    const reject = () => smsNotices('smsNotices', value);

    // Assess
    expect(reject).toThrow(SettingsError);
    expect(reject).toThrow(`Invalid smsNotices: ${named}. Allowed: one or more of failure, reminder, recovery, monitor-error.`);
  });
});
