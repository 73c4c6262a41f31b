import { parse } from 'shell-quote';
import { describe, expect, it } from 'vitest';
import {
  MAX_PARTS,
  PART_BUDGET_BYTES,
  SMS_MAX,
  SNS_MAX_BYTES,
  hintFor,
  publishedBytes,
  renderDigest,
  shellArg,
  type OutboundMessage,
} from '../../core/digest';
import type { SourceState } from '../../core/model';
import { HISTORY_KEY_LAYOUT } from '../../adapters/store/table-schema';
import type { Digest, MonitorNotice, SourceNotice } from '../../core/notices';

const AT = '2025-03-04T12:00:00.000Z';
const AGG = 'org-agg';
/** What the function passes: the store's key layout, shown in the e-mail. */
const KEYS = { historyKeys: HISTORY_KEY_LAYOUT } as const;

function state(overrides: Partial<SourceState> = {}): SourceState {
  return {
    aggregator: AGG,
    sourceId: '111111111111',
    sourceType: 'ACCOUNT',
    region: 'eu-west-1',
    status: 'FAILED',
    lastUpdateTime: '2025-03-04T08:55:00.000Z',
    errorCode: 'AUTHORIZATION_NOT_FOUND',
    errorMessage: 'The source account has not authorized the aggregator account.',
    firstSeenAt: '2025-01-01T00:00:00.000Z',
    since: '2025-03-04T09:00:00.000Z',
    ...overrides,
  };
}

function notice(kind: SourceNotice['kind'], overrides: Partial<SourceState> = {}, extra: Partial<SourceNotice> = {}): SourceNotice {
  return { kind, state: state(overrides), condition: 'FAILED', removed: false, ...extra };
}

function digest(sources: SourceNotice[], monitor?: MonitorNotice): Digest {
  return { aggregator: AGG, at: AT, sources, ...(monitor ? { monitor } : {}) };
}

interface Versions {
  readonly default: string;
  readonly email: string;
  readonly sms: string;
}

const versions = (m: OutboundMessage): Versions => JSON.parse(m.message) as Versions;

function only(messages: OutboundMessage[]): OutboundMessage {
  expect(messages).toHaveLength(1);
  return messages[0] as OutboundMessage;
}

const GSM7_BASIC_ASCII = /^[A-Za-z0-9 @$_!"#%&'()*+,\-./:;<=>?]*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

describe('renderDigest', () => {
  it('renders nothing for an empty digest', () => {
    // Prepare
    const empty = digest([]);

    // Act
    const messages = renderDigest(empty, KEYS);

    // Assess
    expect(messages).toEqual([]);
  });

  it('renders a new failure in all three versions, with attributes', () => {
    // Prepare
    const failure = notice('failure');

    // Act
    const m = only(renderDigest(digest([failure]), { tableName: 'aggwatch-history', ...KEYS }));

    // Assess
    const v = versions(m);
    expect(m.subject).toBe('[aggwatch] org-agg: 1 new FAILED');
    expect(m.attributes).toEqual({ aggregator: AGG, kind: ['failure'], statuses: ['FAILED'], count: 1 });
    expect(m.notices).toEqual([failure]);
    expect(m.monitor).toBeUndefined();
    expect([m.part, m.parts]).toEqual([1, 1]);
    expect(v.sms).toBe('org-agg: 1 new FAILED. Top error: AUTHORIZATION_NOT_FOUND (1)');
    expect(v.default).toBe('AWS Config aggregator org-agg: 1 new FAILED. Top error: AUTHORIZATION_NOT_FOUND (1).');
    expect(v.email).toContain('AWS Config aggregator org-agg: source status digest\nRun at 2025-03-04T12:00:00.000Z\nThis digest: 1 new FAILED.\n');
    expect(v.email).toContain('\nNEW FAILURES: 1\n');
    expect(v.email).toContain(
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
    expect(v.email).toContain('DynamoDB table aggwatch-history: query pk = "SRC#org-agg#<source id>"');
    expect(v.email).not.toContain('(part');
  });

  it('renders a reminder with how long the source has been failing', () => {
    // Prepare
    const reminder = notice('reminder', { since: '2025-03-01T06:00:00.000Z' });

    // Act
    const m = only(renderDigest(digest([reminder]), KEYS));

    // Assess
    const v = versions(m);
    expect(m.subject).toBe('[aggwatch] org-agg: 1 still failing');
    expect(m.attributes).toEqual({ aggregator: AGG, kind: ['reminder'], statuses: ['FAILED'], count: 1 });
    expect(v.email).toContain('\nSTILL FAILING (reminder): 1\n');
    expect(v.email).toContain('      since:       2025-03-01T06:00:00.000Z (for 3d 6h)\n');
    expect(v.email).not.toContain('NEW FAILURES');
    expect(v.email).toContain("DynamoDB (the monitor's table): query pk");
  });

  it('renders a stale source by its condition, with the status Config reports', () => {
    // Prepare
    const stale = notice('failure', { status: 'SUCCEEDED', stale: true, errorCode: undefined, errorMessage: undefined }, { condition: 'STALE' });

    // Act
    const m = only(renderDigest(digest([stale]), KEYS));

    // Assess
    const v = versions(m);
    expect(m.attributes.statuses).toEqual(['STALE']);
    expect(v.email).toContain('  (no error code) STALE: 1 source in this digest\n  What to do: The source reports SUCCEEDED but has not updated');
    expect(v.email).toContain('      status:      STALE (LastUpdateStatus SUCCEEDED)\n      error code:  none reported\n      message:     none reported\n');
    expect(v.sms).toBe('org-agg: 1 new STALE');
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
    const m = only(renderDigest(digest([removed, recovered]), KEYS));

    // Assess
    const v = versions(m);
    expect(m.subject).toBe('[aggwatch] org-agg: 2 recovered');
    expect(m.attributes).toEqual({ aggregator: AGG, kind: ['recovery'], statuses: ['FAILED'], count: 2 });
    expect(m.notices).toEqual([recovered, removed]);
    expect(v.email).toContain(
      '\nRECOVERED: 2\n' +
        '  - 666666666666 (ACCOUNT), eu-west-1: no longer FAILED: now SUCCEEDED since 2025-03-04T11:45:00.000Z, last update 2025-03-04T11:45:00.000Z\n',
    );
    expect(v.email).toContain('  - 777777777777 (ACCOUNT), eu-west-1: removed from the aggregator 2025-03-04T10:00:00.000Z (2h ago); it was FAILED\n');
    expect(v.sms).toBe('org-agg: 2 recovered');
  });

  it('renders a monitor error on its own, with its hint', () => {
    // Prepare
    const monitor: MonitorNotice = {
      kind: 'monitor-error',
      code: 'NoSuchConfigurationAggregatorException',
      message: 'The configuration aggregator does not exist.',
      since: '2025-03-04T09:00:00.000Z',
      reminder: false,
    };

    // Act
    const m = only(renderDigest(digest([], monitor), KEYS));

    // Assess
    const v = versions(m);
    expect(m.subject).toBe('[aggwatch] org-agg: monitor error');
    expect(m.monitor).toEqual(monitor);
    expect(m.notices).toEqual([]);
    expect(m.attributes).toEqual({ aggregator: AGG, kind: ['monitor-error'], statuses: [], count: 0 });
    expect(v.email).toContain(
      '\nMONITOR ERROR\n  Aggregator org-agg could not be read: NoSuchConfigurationAggregatorException: The configuration aggregator does not exist.\n' +
        "  Since 2025-03-04T09:00:00.000Z (for 3h). Its sources' status is unknown until this is fixed.\n" +
        "  What to do: The aggregator does not exist in the monitor's account and region",
    );
    expect(v.sms).toBe('org-agg: monitor error: NoSuchConfigurationAggregatorException');
  });

  it('renders a monitor recovery next to source notices', () => {
    // Prepare
    const monitor: MonitorNotice = { kind: 'recovery', code: 'AccessDeniedException', message: 'not allowed', since: '2025-03-03T12:00:00.000Z', reminder: false };

    // Act
    const m = only(renderDigest(digest([notice('failure')], monitor), KEYS));

    // Assess
    const v = versions(m);
    expect(m.subject).toBe('[aggwatch] org-agg: monitor recovered, 1 new FAILED');
    expect(m.attributes.kind).toEqual(['failure', 'recovery']);
    expect(m.monitor).toEqual(monitor);
    expect(v.email).toContain(
      '\nMONITOR RECOVERED\n  Aggregator org-agg can be read again. It had failed with AccessDeniedException: not allowed (since 2025-03-03T12:00:00.000Z).\n',
    );
  });

  it('groups sources by error code, biggest group first, with a hint for known codes and the raw code otherwise', () => {
    // Prepare
    const sources = [
      notice('failure', { sourceId: '333333333333', errorCode: 'SOMETHING_NEW', errorMessage: 'new' }),
      notice('failure', { sourceId: '222222222222' }),
      notice('failure', { sourceId: 'o-abc123', sourceType: 'ORGANIZATION' }),
    ];

    // Act
    const m = only(renderDigest(digest(sources), KEYS));

    // Assess
    const email = versions(m).email;
    const known = email.indexOf('  Error code AUTHORIZATION_NOT_FOUND: 2 sources in this digest\n');
    const unknown = email.indexOf('  Error code SOMETHING_NEW: 1 source in this digest\n');
    expect(known).toBeGreaterThan(-1);
    expect(unknown).toBeGreaterThan(known);
    expect(email).toContain('  What to do (ACCOUNT sources): The source account has not authorized this aggregator');
    expect(email).toContain('  What to do (ORGANIZATION sources): The aggregator account must be the management account or a delegated administrator');
    expect(email).toContain('  No remediation hint for this code: the raw code is "SOMETHING_NEW"; see each source\'s message.\n');
    // Within a group, sources are ordered by id.
    expect(email.indexOf('  - 222222222222')).toBeLessThan(email.indexOf('  - o-abc123'));
    expect(email.indexOf('  - o-abc123')).toBeLessThan(unknown);
  });

  it('keeps the subject ASCII and under 100 characters, naming the aggregator and the counts', () => {
    // Prepare
    const longName = `prod-organisation-aggregator-${'é'.repeat(150)}-ünïcödé`;
    const big: Digest = { aggregator: longName, at: AT, sources: [notice('failure'), notice('reminder'), notice('recovery')] };

    // Act
    const m = only(renderDigest(big, KEYS));

    // Assess
    expect(m.subject.length).toBeLessThan(100);
    expect(m.subject).toMatch(PRINTABLE_ASCII);
    expect(m.subject).toBe('[aggwatch] prod-organisation-aggregator-eeeeeeeeeeee...: 1 new FAILED, 1 still failing, 1 recovered');
    expect(m.subject).toHaveLength(99);
  });

  it('fits the SMS in one GSM-7 segment whatever the names and codes', () => {
    // Prepare
    const sources = Array.from({ length: 12 }, (_, i) =>
      notice('failure', { sourceId: String(i), errorCode: `ÉCHEC_AUTORISATION_${'€'.repeat(60)}`, errorMessage: '认证失败 🚫' }),
    );
    const long: Digest = { aggregator: `agrégateur-${'ß'.repeat(300)}`, at: AT, sources };
    const short: Digest = { aggregator: 'Café-agg', at: AT, sources: sources.slice(0, 2) };

    // Act
    const longSms = versions(only(renderDigest(long, KEYS))).sms;
    const shortSms = versions(only(renderDigest(short, KEYS))).sms;

    // Assess
    expect(longSms.length).toBeLessThanOrEqual(SMS_MAX);
    expect(longSms).toMatch(GSM7_BASIC_ASCII);
    // The name gives way first; the error code is cut at 40 characters.
    expect(longSms).toBe(`agregateur-${'?'.repeat(73)}...: 12 new FAILED. Top error: ECHEC_AUTORISATION_${'?'.repeat(18)}... (12)`);
    expect(longSms).toHaveLength(SMS_MAX);
    expect(shortSms).toBe(`Cafe-agg: 2 new FAILED. Top error: ECHEC_AUTORISATION_${'?'.repeat(18)}... (2)`);
  });

  it('truncates a 10 KB non-ASCII error message to one bounded line', () => {
    // Prepare
    const huge = notice('failure', { errorMessage: `Ошибка\nстрока ${'данные 🚫 '.repeat(1200)}` });

    // Act
    const m = only(renderDigest(digest([huge]), KEYS));

    // Assess
    const line = versions(m).email.split('\n').find((l) => l.startsWith('      message:')) ?? '';
    expect(line.startsWith('      message:     Ошибка строка данные 🚫 данные')).toBe(true);
    expect(line.endsWith('…')).toBe(true);
    expect(line.length).toBeLessThanOrEqual('      message:     '.length + 600);
    expect(publishedBytes(m)).toBeLessThan(8_000);
  });

  it('splits a large digest into self-contained numbered parts under the size limit', () => {
    // Prepare
    const sources = Array.from({ length: 300 }, (_, i) =>
      notice('failure', { sourceId: String(100000000000 + i), errorCode: `CODE_${i % 3}`, errorMessage: 'é'.repeat(600) }),
    );

    // Act
    const messages = renderDigest(digest(sources), KEYS);

    // Assess
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.length).toBeLessThan(MAX_PARTS);
    messages.forEach((m, i) => {
      const label = `(part ${i + 1}/${messages.length})`;
      expect(m.subject).toBe(`[aggwatch] org-agg: 300 new FAILED ${label}`);
      expect(versions(m).email).toContain(`AWS Config aggregator org-agg: source status digest ${label}\n`);
      expect(publishedBytes(m)).toBeLessThanOrEqual(PART_BUDGET_BYTES);
      expect(m.attributes.count).toBe(m.notices.length);
      for (const n of m.notices) expect(versions(m).email).toContain(`  - ${n.state.sourceId} (ACCOUNT), eu-west-1\n`);
    });
    expect(messages.flatMap((m) => m.notices.map((n) => n.state.sourceId)).sort()).toEqual(sources.map((n) => n.state.sourceId).sort());
  });

  it('turns 10,000 failing sources with long messages into at most 10 valid parts carrying every notice once', () => {
    // Prepare
    const message = `Ошибка агрегации «данные» 🚫 ${'x'.repeat(100)}`.repeat(80); // about 10 KB
    const sources = Array.from({ length: 10_000 }, (_, i) =>
      notice(i % 10 === 9 ? 'reminder' : 'failure', { sourceId: String(100000000000 + i), errorCode: `CODE_${i % 37}`, errorMessage: message }),
    );
    const monitor: MonitorNotice = { kind: 'monitor-error', code: 'ThrottlingException', message: 'Rate exceeded', since: AT, reminder: false };

    // Act
    const messages = renderDigest(digest(sources, monitor), { tableName: 'aggwatch-history', ...KEYS });

    // Assess
    expect(messages).toHaveLength(MAX_PARTS);
    expect(messages.map((m) => [m.part, m.parts])).toEqual(Array.from({ length: MAX_PARTS }, (_, i) => [i + 1, MAX_PARTS]));
    for (const m of messages) {
      expect(publishedBytes(m)).toBeLessThanOrEqual(PART_BUDGET_BYTES);
      expect(publishedBytes(m)).toBeLessThan(SNS_MAX_BYTES);
      expect(m.subject).toMatch(PRINTABLE_ASCII);
      expect(m.subject.length).toBeLessThan(100);
      expect(m.subject).toContain(`(part ${m.part}/${MAX_PARTS})`);
      expect(versions(m).sms.length).toBeLessThanOrEqual(SMS_MAX);
      expect(m.attributes.count).toBe(m.notices.length);
    }
    // Every notice is carried by exactly one part.
    const carried = messages.flatMap((m) => m.notices);
    expect(carried).toHaveLength(sources.length);
    expect(new Set(carried).size).toBe(sources.length);
    // The monitor notice rides on the first part only.
    expect(messages.map((m) => m.monitor !== undefined)).toEqual([true, ...Array<boolean>(MAX_PARTS - 1).fill(false)]);
    // The last part summarises what did not fit, and says how to list it.
    const last = messages.at(-1) as OutboundMessage;
    const listed = messages.slice(0, -1).reduce((sum, m) => sum + m.notices.length, 0);
    const summarised = sources.length - listed;
    const email = versions(last).email;
    expect(email).toContain(`\n${summarised} more sources in this digest, not listed one by one (the digest would exceed 10 messages):\n`);
    expect(email).toContain(`Part 10 of 10 summarises the last ${summarised} of 10000 sources.`);
    expect(email).toContain('    npx aggwatch current --aggregator org-agg --status FAILED\n');
    expect(last.attributes.kind).toEqual(['failure', 'reminder']);
  });
});

describe('the commands the e-mail prints', () => {
  it('quote every argument so a shell reads back exactly the values Config sent', () => {
    // Prepare: values no aggregator or account has, but nothing in the API forbids.
    const sourceId = `o-ab'c $(touch x) \`id\` "q" !! ~root *`;
    const region = 'eu west;rm -rf';
    const m = only(renderDigest(digest([notice('failure', { sourceId, region })]), KEYS));

    // Act
    const printed = /^ {6}history: {5}(npx aggwatch history .*)$/m.exec(versions(m).email)?.[1] ?? '';

    // Assess
    expect(parse(printed)).toEqual(['npx', 'aggwatch', 'history', '--aggregator', AGG, '--source', sourceId, '--source-region', region]);
  });

  it('quote any argument so that it reads back unchanged (seeded random strings of shell metacharacters)', () => {
    // Prepare
    const alphabet = [...` !"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~aZ09é🚫\t`];
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const values = Array.from({ length: 500 }, () => Array.from({ length: 1 + Math.floor(next() * 10) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));

    // Act
    const readBack = values.map((v) => parse(`x ${shellArg(v)}`));

    // Assess
    expect(readBack).toEqual(values.map((v) => ['x', v]));
  });

  it('leave the DynamoDB keys out when the caller gives no key layout', () => {
    // Act
    const email = versions(only(renderDigest(digest([notice('failure')])))).email;

    // Assess
    expect(email).toContain('      history:     npx aggwatch history --aggregator org-agg --source 111111111111 --source-region eu-west-1\n');
    expect(email).not.toContain('DynamoDB');
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
