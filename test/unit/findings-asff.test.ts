import { describe, expect, it } from 'vitest';
import { MAX_FINDINGS_PER_CALL, batchFindings, buildFindings, findingId, type FindingsContext } from '../../core/findings';
import type { SourceState } from '../../core/model';
import type { Digest, SourceNotice } from '../../core/notices';
import { AT, hoursAfter, state } from '../support/builders';

const CONTEXT: FindingsContext = { accountId: '999999999999', region: 'eu-west-1', partition: 'aws' };
const failedState = (overrides: Partial<SourceState> = {}) =>
  state({ status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', errorMessage: 'No authorization', since: hoursAfter(AT, -2), ...overrides });
const notice = (kind: SourceNotice['kind'], s: SourceState, condition = s.status, removed = false): SourceNotice => ({ kind, state: s, condition, removed });
const digest = (sources: SourceNotice[]): Digest => ({ aggregator: 'org', at: AT, sources });

/** Required members of AwsSecurityFinding (API Reference) and their published limits. */
function expectValidAsff(f: Record<string, unknown>): void {
  for (const field of ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Title', 'Description', 'Resources']) {
    expect(f, field).toHaveProperty(field);
  }
  expect(f.SchemaVersion).toBe('2018-10-08');
  expect((f.Title as string).length).toBeLessThanOrEqual(256);
  expect((f.Description as string).length).toBeLessThanOrEqual(1_024);
  expect((f.Id as string).length).toBeLessThanOrEqual(512);
  expect(f.AwsAccountId).toMatch(/^\d{12}$/);
  expect((f.Resources as unknown[]).length).toBeGreaterThan(0);
  expect((f.Resources as unknown[]).length).toBeLessThanOrEqual(32);
  for (const t of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt']) expect(f[t]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const text = (f.Remediation as { Recommendation?: { Text?: string } } | undefined)?.Recommendation?.Text;
  if (text !== undefined) expect(text.length).toBeLessThanOrEqual(512);
  expect(Buffer.byteLength(JSON.stringify(f))).toBeLessThanOrEqual(240 * 1024);
}

describe('buildFindings', () => {
  it('imports a failing source as an active HIGH finding under the default product, with its account and region as the resource', () => {
    // Act
    const [entry] = buildFindings({ digest: digest([notice('failure', failedState())]), context: CONTEXT });

    // Assess
    const f = entry?.finding;
    expectValidAsff(f as unknown as Record<string, unknown>);
    expect(f).toMatchObject({
      ProductArn: 'arn:aws:securityhub:eu-west-1:999999999999:product/999999999999/default',
      AwsAccountId: '999999999999',
      GeneratorId: 'config-aggregator-watch/aggregator-source-status',
      CreatedAt: hoursAfter(AT, -2),
      UpdatedAt: AT,
      RecordState: 'ACTIVE',
      FindingProviderFields: { Severity: { Label: 'HIGH', Original: 'FAILED' }, Types: ['Software and Configuration Checks/AWS Security Best Practices/AWS Config Aggregator Source Status'] },
      Resources: [{ Type: 'AwsAccount', Id: 'AWS::::Account:111111111111', Partition: 'aws', Region: 'us-east-1' }],
      Remediation: { Recommendation: { Text: expect.stringContaining('authorize the aggregator account') } },
    });
    expect(f?.Title).toBe('AWS Config aggregator org: source 111111111111 (ACCOUNT, us-east-1) is FAILED');
    expect(f?.Description).toContain('Error code: AUTHORIZATION_NOT_FOUND.');
    expect(f).not.toHaveProperty('Workflow');
  });

  it('ranks FAILED above OUTDATED and STALE', () => {
    // Prepare
    const d = digest([
      notice('failure', failedState()),
      notice('failure', state({ sourceId: '222222222222', status: 'OUTDATED' })),
      notice('failure', state({ sourceId: '333333333333', stale: true }), 'STALE'),
    ]);

    // Act
    const labels = buildFindings({ digest: d, context: CONTEXT }).map((e) => e.finding.FindingProviderFields.Severity.Label);

    // Assess
    expect(labels).toEqual(['HIGH', 'MEDIUM', 'MEDIUM']);
  });

  it('derives the Id from the aggregator and the source only, so every later import updates the same finding', () => {
    // Prepare
    const first = failedState();
    const later = failedState({ status: 'OUTDATED', errorCode: 'OTHER', since: AT, notifiedCondition: 'FAILED' });

    // Act
    const ids = [
      findingId(first),
      findingId(later),
      findingId({ ...first, region: 'eu-west-1' }),
      findingId({ ...first, aggregator: 'other' }),
      findingId({ ...first, sourceType: 'ORGANIZATION' }),
    ];

    // Assess
    expect(ids[1]).toBe(ids[0]);
    expect(new Set(ids).size).toBe(4);
    expect(ids[0]).toMatch(/^config-aggregator-watch\/org\/[0-9a-f]{32}$/);
  });

  it('archives the finding of a recovered or removed source, with no issue left (INFORMATIONAL)', () => {
    // Prepare
    const recovered = state({ since: AT, notifiedCondition: 'FAILED', notifiedAt: hoursAfter(AT, -10) });
    const removed = failedState({ sourceId: '222222222222', removedAt: AT, notifiedCondition: 'FAILED', notifiedAt: hoursAfter(AT, -10) });

    // Act
    const findings = buildFindings({ digest: digest([notice('recovery', recovered, 'FAILED'), notice('recovery', removed, 'FAILED', true)]), context: CONTEXT }).map((e) => e.finding);

    // Assess
    for (const f of findings) expectValidAsff(f as unknown as Record<string, unknown>);
    expect(findings.map((f) => [f.RecordState, f.FindingProviderFields.Severity.Label, f.FindingProviderFields.Severity.Original])).toEqual([
      ['ARCHIVED', 'INFORMATIONAL', 'SUCCEEDED'],
      ['ARCHIVED', 'INFORMATIONAL', 'REMOVED'],
    ]);
    expect(findings[0]?.Id).toBe(findingId(recovered));
    expect(findings[0]?.CreatedAt).toBe(hoursAfter(AT, -10));
    expect(findings[1]?.Title).toContain('was removed');
    expect(findings[0]).not.toHaveProperty('Remediation');
  });

  it('keeps every text field within its limit whatever Config sends', () => {
    // Prepare
    const s = failedState({ sourceId: 'o-'.padEnd(500, 'x'), sourceType: 'ORGANIZATION', errorCode: 'E'.repeat(5_000), errorMessage: 'line\n'.repeat(5_000) });

    // Act
    const [entry] = buildFindings({ digest: { ...digest([notice('failure', s)]), aggregator: 'a'.repeat(256) }, context: CONTEXT });

    // Assess
    expectValidAsff(entry?.finding as unknown as Record<string, unknown>);
    expect(entry?.finding.Resources[0]?.Type).toBe('Other');
    for (const [k, v] of Object.entries(entry?.finding.ProductFields ?? {})) {
      expect(k.length).toBeLessThanOrEqual(128);
      expect(v.length).toBeLessThanOrEqual(2_048);
    }
  });

  it('makes no finding for a monitor notice', () => {
    // Act
    const entries = buildFindings({ digest: { ...digest([]), monitor: { kind: 'monitor-error', code: 'X', message: 'y', since: AT, reminder: false } }, context: CONTEXT });

    // Assess
    expect(entries).toEqual([]);
  });

  it.each([
    [{ ...CONTEXT, accountId: '12345' }, /accountId "12345"/],
    [{ ...CONTEXT, partition: 'azure' }, /partition "azure"/],
    [{ ...CONTEXT, region: 'Ireland' }, /region "Ireland"/],
  ])('refuses a bad context (%o), naming the value', (context, message) => {
    // Act
    const build = () => buildFindings({ digest: digest([notice('failure', failedState())]), context });

    // Assess
    expect(build).toThrow(message);
  });
});

describe('batchFindings', () => {
  it('puts at most 100 findings in a call, in order', () => {
    // Prepare
    const entries = Array.from({ length: 250 }, (_, i) => ({ i, bytes: 2_000 }));

    // Act
    const batches = batchFindings(entries);

    // Assess
    expect(batches.map((b) => b.length)).toEqual([MAX_FINDINGS_PER_CALL, MAX_FINDINGS_PER_CALL, 50]);
    expect(batches.flat().map((e) => e.i)).toEqual(entries.map((e) => e.i));
  });

  it('keeps a call under 6 MB', () => {
    // Prepare
    const entries = Array.from({ length: 60 }, (_, i) => ({ i, bytes: 200 * 1024 }));

    // Act
    const batches = batchFindings(entries);

    // Assess
    for (const b of batches) expect(b.reduce((sum, e) => sum + e.bytes + 1, 16)).toBeLessThanOrEqual(6 * 1024 * 1024);
    expect(batches.length).toBe(2);
  });
});
