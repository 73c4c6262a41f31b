import { describe, expect, it } from 'vitest';
import { AGGREGATOR_NAME, SETTINGS, SettingsError, parseSetting, splitList, wholeNumber } from '../../core/settings';
import { TOPIC, thrown } from './settings-fixtures';

// Each setting's schema, as a function of the key and the value.
const aggregatorNames = (key: string, value: unknown) => parseSetting(key, SETTINGS.aggregators, value);
const emailAddresses = (key: string, value: unknown) => parseSetting(key, SETTINGS.emails, value);
const smsNumbers = (key: string, value: unknown) => parseSetting(key, SETTINGS.smsNumbers, value);
const alertStatuses = (key: string, value: unknown) => parseSetting(key, SETTINGS.alertStatuses, value);
const positiveInteger = (key: string, value: unknown, max?: number) => parseSetting(key, wholeNumber(max), value);
const booleanValue = (key: string, value: unknown) => parseSetting(key, SETTINGS.notifyRecoveries, value);
const topicArn = (key: string, value: unknown) => parseSetting(key, SETTINGS.topicArn, value);
const tableName = (key: string, value: unknown) => parseSetting(key, SETTINGS.tableName, value);
const reportBucket = (key: string, value: unknown) => parseSetting(key, SETTINGS.reportBucket, value);

describe('splitList', () => {
  it('trims, drops empty items and duplicates, from a string or a list', () => {
    // Prepare
    const raw = ' a, b ,,a,  c , ';

    // Act
    const fromString = splitList(raw);
    const fromList = splitList([' a', 'b', '', 'a ']);

    // Assess
    expect(fromString).toStrictEqual(['a', 'b', 'c']);
    expect(fromList).toStrictEqual(['a', 'b']);
  });
});

describe('aggregatorNames', () => {
  const ALLOWED = 'aggregator names of 1 to 256 letters, digits, _ or - ([\\w-]{1,256})';

  it('accepts letters, digits, _ and -, up to 256 characters, from a string or a list', () => {
    // Prepare
    const longest = 'a'.repeat(256);

    // Act
    const names = aggregatorNames('AGGREGATORS', ` org-agg , Org_2,${longest}`);
    const fromList = aggregatorNames('aggregators', ['x', 'x', 'y-1']);

    // Assess
    expect(names).toStrictEqual(['org-agg', 'Org_2', longest]);
    expect(fromList).toStrictEqual(['x', 'y-1']);
    expect(AGGREGATOR_NAME.source).toBe('^[\\w-]{1,256}$');
  });

  it.each([
    ['257 characters', 'a'.repeat(257)],
    ['a space', 'org agg'],
    ['a dot', 'org.agg'],
    ['a slash', 'org/agg'],
    ['a non-ASCII letter', 'orgé'],
  ])('rejects a name with %s, naming the key, the value and what is allowed', (_what, bad) => {
    // Prepare
    const value = `good,${bad}`;

    // Act
    const error = thrown(() => aggregatorNames('AGGREGATORS', value));

    // Assess
    expect(error).toBeInstanceOf(SettingsError);
    expect(error.message).toBe(`Invalid AGGREGATORS: "${bad}". Allowed: ${ALLOWED}.`);
    expect(error).toMatchObject({ name: 'SettingsError', key: 'AGGREGATORS', value: bad, allowed: ALLOWED });
  });
});

describe('emailAddresses', () => {
  it('accepts addresses with one @ and a dotted domain', () => {
    // Prepare
    const value = 'ops@example.com, first.last+tag@sub.example.co.uk';

    // Act
    const emails = emailAddresses('emails', value);

    // Assess
    expect(emails).toStrictEqual(['ops@example.com', 'first.last+tag@sub.example.co.uk']);
  });

  it.each(['ops@example', 'ops.example.com', 'o ps@example.com', 'ops@@example.com', '@example.com', 'ops@.'])(
    'rejects %s',
    (bad) => {
      // Prepare
      const value = ['ops@example.com', bad];

      // Act
      const error = thrown(() => emailAddresses('emails', value));

      // Assess
      expect(error.message).toBe(`Invalid emails: "${bad}". Allowed: e-mail addresses such as ops@example.com.`);
    },
  );
});

describe('smsNumbers', () => {
  it('accepts E.164 numbers: +, a non-zero digit, 2 to 15 digits in all', () => {
    // Prepare
    const value = '+15555550100,+44,+123456789012345';

    // Act
    const numbers = smsNumbers('smsNumbers', value);

    // Assess
    expect(numbers).toStrictEqual(['+15555550100', '+44', '+123456789012345']);
  });

  it.each(['15555550100', '+05555550100', '+1', '+1234567890123456', '+1 555 555 0100', '+1-555-555-0100'])(
    'rejects %s',
    (bad) => {
      // Prepare
      const value = bad;

      // Act
      const error = thrown(() => smsNumbers('smsNumbers', value));

      // Assess
      expect(error.message).toBe(`Invalid smsNumbers: "${bad}". Allowed: E.164 phone numbers such as +15555550100.`);
    },
  );
});

describe('alertStatuses', () => {
  it('accepts FAILED and OUTDATED in any case, upper-casing them', () => {
    // Prepare
    const value = ' failed , Outdated';

    // Act
    const statuses = alertStatuses('ALERT_STATUSES', value);

    // Assess
    expect(statuses).toStrictEqual(['FAILED', 'OUTDATED']);
  });

  it('keeps each status once, however it is spelled', () => {
    // Prepare
    const value = 'failed,FAILED,Failed';

    // Act
    const statuses = alertStatuses('ALERT_STATUSES', value);

    // Assess
    expect(statuses).toStrictEqual(['FAILED']);
  });

  it.each([
    ['SUCCEEDED', 'SUCCEEDED'],
    ['failed,stale', 'STALE'],
    ['FAILD', 'FAILD'],
  ])('rejects %s, naming the upper-cased status', (value, shown) => {
    // Prepare
    const key = 'ALERT_STATUSES';

    // Act
    const error = thrown(() => alertStatuses(key, value));

    // Assess
    expect(error.message).toBe(`Invalid ALERT_STATUSES: "${shown}". Allowed: one or more of FAILED, OUTDATED.`);
  });

  it.each([
    [' , ', 'Invalid alertStatuses: " , ". Allowed: one or more of FAILED, OUTDATED.'],
    [[], 'Invalid alertStatuses: []. Allowed: one or more of FAILED, OUTDATED.'],
  ])('rejects an empty list %j', (value, message) => {
    // Prepare
    const key = 'alertStatuses';

    // Act
    const error = thrown(() => alertStatuses(key, value));

    // Assess
    expect(error.message).toBe(message);
  });
});

describe('positiveInteger', () => {
  it.each<[string | number, number]>([
    [1, 1],
    ['1', 1],
    ['  7 ', 7],
    ['007', 7],
    [1_000_000, 1_000_000],
  ])('accepts %j as %d', (value, expected) => {
    // Prepare
    const key = 'REMIND_AFTER_HOURS';

    // Act
    const n = positiveInteger(key, value);

    // Assess
    expect(n).toBe(expected);
  });

  it.each<[string | number, string]>([
    [0, '0'],
    [-1, '-1'],
    [1.5, '1.5'],
    ['abc', '"abc"'],
    ['1.5', '"1.5"'],
    ['-1', '"-1"'],
    ['0', '"0"'],
    ['1e3', '"1e3"'],
    ['', '""'],
    [Number.NaN, 'null'],
    [1_000_001, '1000001'],
  ])('rejects %j', (value, shown) => {
    // Prepare
    const key = 'REMIND_AFTER_HOURS';

    // Act
    const error = thrown(() => positiveInteger(key, value));

    // Assess
    expect(error.message).toBe(`Invalid REMIND_AFTER_HOURS: ${shown}. Allowed: a whole number from 1 to 1000000.`);
  });

  it('honours a custom maximum', () => {
    // Prepare
    const max = 36_500;

    // Act
    const ok = positiveInteger('HISTORY_RETENTION_DAYS', '36500', max);
    const error = thrown(() => positiveInteger('HISTORY_RETENTION_DAYS', '36501', max));

    // Assess
    expect(ok).toBe(36_500);
    expect(error.message).toBe('Invalid HISTORY_RETENTION_DAYS: "36501". Allowed: a whole number from 1 to 36500.');
  });
});

describe('booleanValue', () => {
  it.each<[string | boolean, boolean]>([
    [true, true],
    [false, false],
    ['true', true],
    [' TRUE ', true],
    ['False', false],
  ])('accepts %j as %s', (value, expected) => {
    // Prepare
    const key = 'NOTIFY_RECOVERIES';

    // Act
    const b = booleanValue(key, value);

    // Assess
    expect(b).toBe(expected);
  });

  it.each(['yes', '1', 'on', 'truthy'])('rejects %j', (value) => {
    // Prepare
    const key = 'NOTIFY_RECOVERIES';

    // Act
    const error = thrown(() => booleanValue(key, value));

    // Assess
    expect(error.message).toBe(`Invalid NOTIFY_RECOVERIES: "${value}". Allowed: true or false.`);
  });
});

describe('eventBusName', () => {
  it.each(['default', 'security-bus', 'org/events.v1_x', 'arn:aws:events:eu-west-1:123456789012:event-bus/security', 'arn:aws-cn:events:cn-north-1:123456789012:event-bus/a'])(
    'accepts %s',
    (value) => {
      expect(parseSetting('eventBusName', SETTINGS.eventBusName, value)).toBe(value);
    },
  );

  it.each(['', 'my bus', 'x'.repeat(257), 'arn:aws:sns:eu-west-1:123456789012:topic', 'arn:aws:events:eu-west-1:1234:event-bus/a'])('rejects %j, naming what is allowed', (value) => {
    expect(() => parseSetting('eventBusName', SETTINGS.eventBusName, value)).toThrow(/Allowed: an EventBridge bus name/);
  });
});

describe('topicArn and tableName', () => {
  it('accepts SNS topic ARNs of any partition', () => {
    // Prepare
    const arns = [TOPIC, 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b', 'arn:aws-cn:sns:cn-north-1:123456789012:x'];

    // Act
    const accepted = arns.map((a) => topicArn('TOPIC_ARN', a));

    // Assess
    expect(accepted).toStrictEqual(arns);
  });

  it.each([
    'arn:aws:sqs:us-east-1:123456789012:queue',
    'arn:aws:sns:us-east-1:12345678901:alerts',
    'arn:aws:sns:us-east-1:123456789012:',
    'aggwatch-alerts',
  ])('rejects %s', (bad) => {
    // Prepare
    const key = 'TOPIC_ARN';

    // Act
    const error = thrown(() => topicArn(key, bad));

    // Assess
    expect(error.message).toBe(
      `Invalid TOPIC_ARN: "${bad}". Allowed: an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts.`,
    );
  });

  it('accepts table names of 3 to 255 letters, digits, _, . or -', () => {
    // Prepare
    const names = ['abc', 'aggwatch.history_v2-x', 'a'.repeat(255)];

    // Act
    const accepted = names.map((n) => tableName('TABLE_NAME', n));

    // Assess
    expect(accepted).toStrictEqual(names);
  });

  it.each(['ab', 'a'.repeat(256), 'agg watch', 'agg/watch'])('rejects table name %s', (bad) => {
    // Prepare
    const key = 'TABLE_NAME';

    // Act
    const error = thrown(() => tableName(key, bad));

    // Assess
    expect(error.message).toBe(`Invalid TABLE_NAME: "${bad}". Allowed: a DynamoDB table name ([\\w.-]{3,255}).`);
  });
});

describe('reportBucket', () => {
  it('accepts bucket names by S3 naming rules, trimmed', () => {
    // Prepare
    const names = ['abc', 'aggwatch-reports.example.com', `a${'b'.repeat(61)}c`, '1-2.3', ' my-bucket '];

    // Act
    const accepted = names.map((n) => reportBucket('REPORT_BUCKET', n));

    // Assess
    expect(accepted).toStrictEqual(['abc', 'aggwatch-reports.example.com', `a${'b'.repeat(61)}c`, '1-2.3', 'my-bucket']);
  });

  it.each([
    'ab',
    'a'.repeat(64),
    'My-Bucket',
    'my_bucket',
    '-bucket',
    'bucket-',
    'my..bucket',
    '192.168.5.4',
    'xn--bucket',
    'sthree-bucket',
    'amzn-s3-demo-bucket',
    'bucket-s3alias',
    'bucket--ol-s3',
    'bucket.mrap',
    'bucket--x-s3',
    'bucket--table-s3',
    's3://my-bucket',
  ])('rejects %s, saying what S3 allows', (bad) => {
    // Prepare
    const key = 'REPORT_BUCKET';

    // Act
    const error = thrown(() => reportBucket(key, bad));

    // Assess
    expect(error).toBeInstanceOf(SettingsError);
    expect(error.message).toMatch(new RegExp(`^Invalid REPORT_BUCKET: ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\. Allowed: an S3 bucket name: 3 to 63 lowercase`));
  });
});
