import { describe, expect, it } from 'vitest';
import {
  MAX_PARTS,
  PART_BUDGET_BYTES,
  SMS_TEXT_MAX,
  SNS_MAX_BYTES,
  hintFor,
  publishedBytes,
  renderDigest,
  type DigestPart,
} from '../../core/digest';
import type { MonitorNotice } from '../../core/notices';
import {
  AGG,
  AT,
  GSM7_BASIC_ASCII,
  KEYS,
  PRINTABLE_ASCII,
  digest,
  email,
  format,
  formats,
  monitorError,
  notice,
  only,
  sms,
} from '../support/digests';

describe('renderDigest', () => {
  it('renders nothing for an empty digest', () => {
    // Prepare
    const empty = digest([]);

    // Act
    const parts = renderDigest(empty, KEYS);

    // Assess
    expect(parts).toEqual([]);
  });

  it('publishes a new failure as an e-mail, a json body and an SMS, each with its attributes', () => {
    // Prepare
    const failure = notice('failure');

    // Act
    const part = only(renderDigest(digest([failure]), { tableName: 'aggwatch-history', ...KEYS }));

    // Assess
    expect(formats(part)).toEqual(['email', 'json', 'sms']);
    expect(part.notices).toEqual([failure]);
    expect(part.monitor).toBeUndefined();
    expect([part.part, part.parts]).toEqual([1, 1]);
    const attributes = { aggregator: AGG, kinds: ['failure'], severity: 'error', statuses: ['FAILED'], count: 1 };
    expect(format(part, 'email')).toMatchObject({ subject: '[aggwatch] org-agg: 1 new FAILED', attributes: { format: 'email', ...attributes } });
    expect(format(part, 'json')).toMatchObject({ subject: '[aggwatch] org-agg: 1 new FAILED', attributes: { format: 'json', ...attributes } });
    expect(format(part, 'sms')).toEqual({
      format: 'sms',
      message: 'org-agg: 1 new FAILED. Top error: AUTHORIZATION_NOT_FOUND (1)',
      attributes: { format: 'sms', ...attributes },
    });
    const text = email(part);
    expect(text).toContain('AWS Config aggregator org-agg: source status digest\nRun at 2025-03-04T12:00:00.000Z\nThis digest: 1 new FAILED.\n');
    expect(text).toContain('\nNEW FAILURES: 1\n');
    expect(text).toContain(
      [
        '  - 111111111111 (ACCOUNT), eu-west-1',
        '      status:      FAILED',
        '      error code:  AUTHORIZATION_NOT_FOUND',
        '      message:     The source account has not authorized the aggregator account.',
        '      since:       2025-03-04T09:00:00.000Z (for 3h)',
        '      last update: 2025-03-04T08:55:00.000Z (3h 5m before this run)',
        '      history:     npx aggwatch history --aggregator org-agg --source 111111111111 --source-region eu-west-1',
        '      DynamoDB:    pk = SRC#org-agg#111111111111',
      ].join('\n'),
    );
    expect(text).toContain('DynamoDB table aggwatch-history: query pk = "SRC#org-agg#<source id>"; sort key "H#<time>#<type>#<region>#<event>".');
    expect(text).not.toContain('(part');
  });

  it('renders a reminder with how long the source has been failing, and sends no SMS for it by default', () => {
    // Prepare
    const reminder = notice('reminder', { since: '2025-03-01T06:00:00.000Z' });

    // Act
    const part = only(renderDigest(digest([reminder]), KEYS));

    // Assess
    expect(formats(part)).toEqual(['email', 'json']);
    expect(format(part, 'email').subject).toBe('[aggwatch] org-agg: 1 still failing');
    expect(format(part, 'email').attributes).toEqual({ format: 'email', aggregator: AGG, kinds: ['reminder'], severity: 'warning', statuses: ['FAILED'], count: 1 });
    expect(email(part)).toContain('\nSTILL FAILING (reminder): 1\n');
    expect(email(part)).toContain('      since:       2025-03-01T06:00:00.000Z (for 3d 6h)\n');
    expect(email(part)).not.toContain('NEW FAILURES');
    expect(email(part)).toContain("DynamoDB (the monitor's table): query pk");
  });

  it('renders a stale source by its condition, with the status Config reports', () => {
    // Prepare
    const stale = notice('failure', { status: 'SUCCEEDED', stale: true, errorCode: undefined, errorMessage: undefined }, { condition: 'STALE' });

    // Act
    const part = only(renderDigest(digest([stale]), KEYS));

    // Assess
    expect(format(part, 'email').attributes.statuses).toEqual(['STALE']);
    expect(email(part)).toContain('  (no error code) STALE: 1 source in this digest\n  What to do: The source reports SUCCEEDED but has not updated');
    expect(email(part)).toContain('      status:      STALE (LastUpdateStatus SUCCEEDED)\n      error code:  none reported\n      message:     none reported\n');
    expect(sms(part)).toBe('org-agg: 1 new STALE');
  });

  it('renders recoveries, including a source removed from the aggregator', () => {
    // Prepare
    const recovered = notice('recovery', {
      sourceId: '666666666666',
      status: 'SUCCEEDED',
      since: '2025-03-04T11:45:00.000Z',
      lastUpdateTime: '2025-03-04T11:45:00.000Z',
    });
    const removed = notice('recovery', { sourceId: '777777777777', removedAt: '2025-03-04T10:00:00.000Z' }, { removed: true });

    // Act
    const part = only(renderDigest(digest([removed, recovered]), KEYS));

    // Assess
    expect(formats(part)).toEqual(['email', 'json']);
    expect(format(part, 'email').subject).toBe('[aggwatch] org-agg: 2 recovered');
    expect(format(part, 'email').attributes).toEqual({ format: 'email', aggregator: AGG, kinds: ['recovery'], severity: 'info', statuses: ['FAILED'], count: 2 });
    expect(part.notices).toEqual([recovered, removed]);
    expect(email(part)).toContain(
      '\nRECOVERED: 2\n' +
        '  - 666666666666 (ACCOUNT), eu-west-1: no longer FAILED: now SUCCEEDED since 2025-03-04T11:45:00.000Z, last update 2025-03-04T11:45:00.000Z\n',
    );
    expect(email(part)).toContain('  - 777777777777 (ACCOUNT), eu-west-1: removed from the aggregator 2025-03-04T10:00:00.000Z (2h ago); it was FAILED\n');
  });

  it('renders a monitor error on its own, with its hint', () => {
    // Act
    const part = only(renderDigest(digest([], monitorError), KEYS));

    // Assess
    expect(format(part, 'email').subject).toBe('[aggwatch] org-agg: monitor error');
    expect(part.monitor).toEqual(monitorError);
    expect(part.notices).toEqual([]);
    expect(format(part, 'email').attributes).toEqual({ format: 'email', aggregator: AGG, kinds: ['monitor-error'], severity: 'error', statuses: [], count: 0 });
    expect(email(part)).toContain(
      '\nMONITOR ERROR\n  Aggregator org-agg could not be read: NoSuchConfigurationAggregatorException: The configuration aggregator does not exist.\n' +
        "  Since 2025-03-04T09:00:00.000Z (for 3h). Its sources' status is unknown until this is fixed.\n" +
        "  What to do: The aggregator does not exist in the monitor's account and region",
    );
    expect(sms(part)).toBe('org-agg: monitor error: NoSuchConfigurationAggregatorException');
  });

  it('renders a monitor recovery next to source notices; the SMS tells only of the kinds it is for', () => {
    // Prepare
    const monitor: MonitorNotice = { kind: 'recovery', code: 'AccessDeniedException', message: 'not allowed', since: '2025-03-03T12:00:00.000Z', reminder: false };

    // Act
    const part = only(renderDigest(digest([notice('failure')], monitor), KEYS));

    // Assess
    expect(format(part, 'email').subject).toBe('[aggwatch] org-agg: monitor recovered, 1 new FAILED');
    expect(format(part, 'email').attributes.kinds).toEqual(['failure', 'recovery']);
    expect(part.monitor).toEqual(monitor);
    expect(email(part)).toContain(
      '\nMONITOR RECOVERED\n  Aggregator org-agg can be read again. It had failed with AccessDeniedException: not allowed (since 2025-03-03T12:00:00.000Z).\n',
    );
    expect(format(part, 'sms')).toMatchObject({ message: 'org-agg: 1 new FAILED. Top error: AUTHORIZATION_NOT_FOUND (1)', attributes: { kinds: ['failure'] } });
  });

  it('sends the SMS for the kinds smsNotices chooses, counting only those', () => {
    // Prepare
    const sources = [notice('failure'), notice('reminder', { sourceId: '2' }), notice('recovery', { sourceId: '3' }), notice('recovery', { sourceId: '4' })];

    // Act
    const chosen = only(renderDigest(digest(sources, monitorError), { smsNotices: ['reminder', 'recovery'] }));
    const none = only(renderDigest(digest([notice('failure')]), { smsNotices: ['recovery'] }));

    // Assess
    expect(format(chosen, 'sms')).toEqual({
      format: 'sms',
      message: 'org-agg: 1 still failing, 2 recovered. Top error: AUTHORIZATION_NOT_FOUND (1)',
      attributes: { format: 'sms', aggregator: AGG, kinds: ['reminder', 'recovery'], severity: 'warning', statuses: ['FAILED'], count: 3 },
    });
    expect(formats(none)).toEqual(['email', 'json']);
  });

  it('groups sources by error code, biggest group first, with a hint for known codes and the raw code otherwise', () => {
    // Prepare
    const sources = [
      notice('failure', { sourceId: '333333333333', errorCode: 'SOMETHING_NEW', errorMessage: 'new' }),
      notice('failure', { sourceId: '222222222222' }),
      notice('failure', { sourceId: 'o-abc123', sourceType: 'ORGANIZATION' }),
    ];

    // Act
    const text = email(only(renderDigest(digest(sources), KEYS)));

    // Assess
    const known = text.indexOf('  Error code AUTHORIZATION_NOT_FOUND: 2 sources in this digest\n');
    const unknown = text.indexOf('  Error code SOMETHING_NEW: 1 source in this digest\n');
    expect(known).toBeGreaterThan(-1);
    expect(unknown).toBeGreaterThan(known);
    expect(text).toContain('  What to do (ACCOUNT sources): The source account has not authorized this aggregator');
    expect(text).toContain('  What to do (ORGANIZATION sources): The aggregator account must be the management account or a delegated administrator');
    expect(text).toContain('  No remediation hint for this code: the raw code is "SOMETHING_NEW"; see each source\'s message.\n');
    // Within a group, sources are ordered by id.
    expect(text.indexOf('  - 222222222222')).toBeLessThan(text.indexOf('  - o-abc123'));
    expect(text.indexOf('  - o-abc123')).toBeLessThan(unknown);
  });

  it('keeps the subject ASCII and under 100 characters, naming the aggregator and the counts', () => {
    // Prepare
    const longName = `prod-organisation-aggregator-${'é'.repeat(150)}-ünïcödé`;
    const big = { aggregator: longName, at: AT, sources: [notice('failure'), notice('reminder'), notice('recovery')] };

    // Act
    const subject = format(only(renderDigest(big, KEYS)), 'email').subject ?? '';

    // Assess
    expect(subject).toMatch(PRINTABLE_ASCII);
    expect(subject).toBe('[aggwatch] prod-organisation-aggregator-eeeeeeeeeeee...: 1 new FAILED, 1 still failing, 1 recovered');
    expect(subject).toHaveLength(99);
  });

  it('fits the SMS in one GSM-7 segment with the topic display name SNS puts before it, whatever the names and codes', () => {
    // Prepare
    const sources = Array.from({ length: 12 }, (_, i) =>
      notice('failure', { sourceId: String(i), errorCode: `ÉCHEC_AUTORISATION_${'€'.repeat(60)}`, errorMessage: '认证失败 🚫' }),
    );
    const long = { aggregator: `agrégateur-${'ß'.repeat(300)}`, at: AT, sources };
    const short = { aggregator: 'Café-agg', at: AT, sources: sources.slice(0, 2) };

    // Act
    const longSms = sms(only(renderDigest(long, KEYS)));
    const shortSms = sms(only(renderDigest(short, KEYS)));

    // Assess
    expect(SMS_TEXT_MAX).toBe(160 - 'CONFIG AGGREGATOR WATCH> '.length);
    expect(longSms).toMatch(GSM7_BASIC_ASCII);
    // The name gives way first; the error code is cut at 40 characters.
    expect(longSms).toBe(`agregateur-${'?'.repeat(48)}...: 12 new FAILED. Top error: ECHEC_AUTORISATION_${'?'.repeat(18)}... (12)`);
    expect(longSms).toHaveLength(SMS_TEXT_MAX);
    expect(shortSms).toBe(`Cafe-agg: 2 new FAILED. Top error: ECHEC_AUTORISATION_${'?'.repeat(18)}... (2)`);
  });

  it('truncates a 10 KB non-ASCII error message to one bounded line', () => {
    // Prepare
    const huge = notice('failure', { errorMessage: `Ошибка\nстрока ${'данные 🚫 '.repeat(1200)}` });

    // Act
    const part = only(renderDigest(digest([huge]), KEYS));

    // Assess
    const line = email(part).split('\n').find((l) => l.startsWith('      message:')) ?? '';
    expect(line.startsWith('      message:     Ошибка строка данные 🚫 данные')).toBe(true);
    expect(line.endsWith('…')).toBe(true);
    expect(line.length).toBeLessThanOrEqual('      message:     '.length + 600);
    for (const p of part.publications) expect(publishedBytes(p)).toBeLessThan(8_000);
  });

  it('splits a large digest into self-contained numbered parts under the size limit, both formats listing the same sources', () => {
    // Prepare
    const sources = Array.from({ length: 300 }, (_, i) =>
      notice('failure', { sourceId: String(100000000000 + i), errorCode: `CODE_${i % 3}`, errorMessage: 'é'.repeat(600) }),
    );

    // Act
    const parts = renderDigest(digest(sources), KEYS);

    // Assess
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.length).toBeLessThan(MAX_PARTS);
    expect(parts.map(formats)).toEqual(parts.map((_, i) => (i === 0 ? ['email', 'json', 'sms'] : ['email', 'json'])));
    parts.forEach((part, i) => {
      const label = `(part ${i + 1}/${parts.length})`;
      expect(format(part, 'email').subject).toBe(`[aggwatch] org-agg: 300 new FAILED ${label}`);
      expect(email(part)).toContain(`AWS Config aggregator org-agg: source status digest ${label}\n`);
      for (const p of part.publications) expect(publishedBytes(p)).toBeLessThanOrEqual(PART_BUDGET_BYTES);
      expect(format(part, 'email').attributes.count).toBe(part.notices.length);
      const listed = (JSON.parse(format(part, 'json').message) as { notices: { sourceId: string }[] }).notices.map((n) => n.sourceId);
      expect(listed).toEqual(part.notices.map((n) => n.state.sourceId));
      for (const n of part.notices) expect(email(part)).toContain(`  - ${n.state.sourceId} (ACCOUNT), eu-west-1\n`);
    });
    expect(parts.flatMap((p) => p.notices.map((n) => n.state.sourceId)).sort()).toEqual(sources.map((n) => n.state.sourceId).sort());
    // One SMS for the whole digest.
    expect(sms(parts[0] as DigestPart)).toBe('org-agg: 300 new FAILED. Top error: CODE_0 (100)');
  });

  it('turns 10,000 failing sources with long messages into at most 10 valid parts carrying every notice once', () => {
    // Prepare
    const message = `Ошибка агрегации «данные» 🚫 ${'x'.repeat(100)}`.repeat(80); // about 10 KB
    const sources = Array.from({ length: 10_000 }, (_, i) =>
      notice(i % 10 === 9 ? 'reminder' : 'failure', { sourceId: String(100000000000 + i), errorCode: `CODE_${i % 37}`, errorMessage: message }),
    );
    const monitor: MonitorNotice = { kind: 'monitor-error', code: 'ThrottlingException', message: 'Rate exceeded', since: AT, reminder: false };

    // Act
    const parts = renderDigest(digest(sources, monitor), { tableName: 'aggwatch-history', ...KEYS });

    // Assess
    expect(parts).toHaveLength(MAX_PARTS);
    expect(parts.map((p) => [p.part, p.parts])).toEqual(Array.from({ length: MAX_PARTS }, (_, i) => [i + 1, MAX_PARTS]));
    for (const part of parts) {
      for (const p of part.publications) {
        expect(publishedBytes(p)).toBeLessThanOrEqual(PART_BUDGET_BYTES);
        expect(publishedBytes(p)).toBeLessThan(SNS_MAX_BYTES);
        expect(p.attributes.count).toBe(p.format === 'sms' ? 9_000 : part.notices.length);
      }
      const subject = format(part, 'email').subject ?? '';
      expect(subject).toMatch(PRINTABLE_ASCII);
      expect(subject.length).toBeLessThan(100);
      expect(subject).toContain(`(part ${part.part}/${MAX_PARTS})`);
    }
    // Every notice is carried by exactly one part.
    const carried = parts.flatMap((p) => p.notices);
    expect(carried).toHaveLength(sources.length);
    expect(new Set(carried).size).toBe(sources.length);
    // The monitor notice and the one SMS ride on the first part only.
    expect(parts.map((p) => p.monitor !== undefined)).toEqual([true, ...Array<boolean>(MAX_PARTS - 1).fill(false)]);
    expect(parts.map((p) => p.publications.length)).toEqual([3, ...Array<number>(MAX_PARTS - 1).fill(2)]);
    expect(sms(parts[0] as DigestPart)).toBe('org-agg: monitor error, 9000 new FAILED. Top error: CODE_0 (244)');
    // The last part summarises what did not fit, and says how to list it.
    const last = parts.at(-1) as DigestPart;
    const listed = parts.slice(0, -1).reduce((sum, p) => sum + p.notices.length, 0);
    const summarised = sources.length - listed;
    expect(email(last)).toContain(`\n${summarised} more sources in this digest, not listed one by one (the digest would exceed 10 messages):\n`);
    expect(email(last)).toContain(`Part 10 of 10 summarises the last ${summarised} of 10000 sources.`);
    expect(email(last)).toContain('    npx aggwatch current --aggregator org-agg --status FAILED\n');
    expect(format(last, 'email').attributes.kinds).toEqual(['failure', 'reminder']);
    const json = JSON.parse(format(last, 'json').message) as { notices: unknown[]; omitted: { count: number } };
    expect([json.notices.length, json.omitted.count]).toEqual([0, summarised]);
  });
});

describe('hintFor', () => {
  it.each([
    ['AUTHORIZATION_NOT_FOUND', 'ACCOUNT', 'put-aggregation-authorization'],
    ['authorization-not-found', 'ACCOUNT', 'put-aggregation-authorization'],
    ['NotAuthorizedException', 'ACCOUNT', 'put-aggregation-authorization'],
    ['AccessDenied', 'ORGANIZATION', 'AWSConfigRoleForOrganizations'],
    ['OrganizationAllFeaturesNotEnabledException', 'ORGANIZATION', 'enable-all-features'],
    ['ORGANIZATION_ACCESS_DENIED', 'ORGANIZATION', 'delete and recreate the aggregator'],
    // An organization-only code on an ACCOUNT source falls through to the generic access-denied entry.
    ['OrganizationAccessDeniedException', 'ACCOUNT', 'put-aggregation-authorization'],
    ['InvalidRoleException', 'ORGANIZATION', 'RoleArn'],
    ['region_not_enabled', 'ACCOUNT', 'opt-in region'],
    ['NoSuchConfigurationAggregatorException', 'monitor', 'AGGREGATORS setting'],
    ['AccessDeniedException', 'monitor', 'config:DescribeConfigurationAggregatorSourcesStatus'],
  ] as const)('matches %s for %s sources', (code, scope, expected) => {
    // Act
    const hint = hintFor(code, scope);

    // Assess
    expect(hint).toContain(expected);
  });

  it('knows nothing about codes it cannot recognise', () => {
    // Act and Assess
    expect(hintFor('InternalFailure', 'ACCOUNT')).toBeUndefined();
    expect(hintFor('NoSuchConfigurationAggregatorException', 'ACCOUNT')).toBeUndefined();
  });
});
