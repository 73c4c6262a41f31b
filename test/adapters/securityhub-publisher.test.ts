/** The Security Hub adapter against the SDK client, its BatchImportFindingsCommand answered by aws-sdk-client-mock. */
import {
  BatchImportFindingsCommand,
  SecurityHubClient,
  type BatchImportFindingsCommandInput,
  type BatchImportFindingsCommandOutput,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { FindingsNotDeliveredError, SecurityHubPublisher } from '../../adapters/securityhub-publisher';
import { buildFindings, type FindingEntry } from '../../core/findings';
import type { SourceNotice } from '../../core/notices';
import { AT, state } from '../support/builders';

const FAST = { minTimeoutMs: 0, randomize: false } as const;
const CONTEXT = { accountId: '999999999999', region: 'eu-west-1', partition: 'aws' };

function findings(n: number): FindingEntry[] {
  const sources: SourceNotice[] = Array.from({ length: n }, (_, i) => ({
    kind: 'failure',
    state: state({ sourceId: String(100000000000 + i), status: 'FAILED' }),
    condition: 'FAILED',
    removed: false,
  }));
  return buildFindings({ digest: { aggregator: 'org', at: AT, sources }, context: CONTEXT });
}

type BatchImportFindingsInput = BatchImportFindingsCommandInput & { Findings: NonNullable<BatchImportFindingsCommandInput['Findings']> };
type BatchImportFindingsOutput = Omit<BatchImportFindingsCommandOutput, '$metadata'>;

const shMock = mockClient(SecurityHubClient);
const client = new SecurityHubClient({ region: 'eu-west-1' });

/** The client answers BatchImportFindings with `answer(input, call)`; every request is recorded. */
function fakeSend(answer: (input: BatchImportFindingsInput, call: number) => BatchImportFindingsOutput) {
  const requests: BatchImportFindingsInput[] = [];
  shMock.on(BatchImportFindingsCommand).callsFake((input: BatchImportFindingsInput) => {
    requests.push(structuredClone(input));
    return answer(input, requests.length);
  });
  return { send: client, requests };
}

const imported = (input: BatchImportFindingsInput): BatchImportFindingsOutput => ({ FailedCount: 0, SuccessCount: input.Findings.length, FailedFindings: [] });

describe('SecurityHubPublisher', () => {
  beforeEach(() => {
    shMock.reset();
  });

  it('imports the findings in one call and reports them imported', async () => {
    // Prepare
    const { send, requests } = fakeSend(imported);
    const batch = findings(3);

    // Act
    const report = await new SecurityHubPublisher(send, FAST).publish(batch);

    // Assess
    expect(requests).toHaveLength(1);
    expect(requests[0]?.Findings).toEqual(batch.map((e) => e.finding));
    expect(report.delivered.map((d) => d.item)).toEqual(batch);
  });

  it('re-imports only the findings listed in FailedFindings with a retryable code', async () => {
    // Prepare
    const batch = findings(4);
    const { send, requests } = fakeSend((input, call) =>
      call === 1
        ? {
            FailedCount: 2,
            SuccessCount: 2,
            FailedFindings: [
              { Id: batch[1]?.finding.Id, ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure' },
              { Id: batch[2]?.finding.Id, ErrorCode: 'ConcurrentUpdateError', ErrorMessage: 'Concurrent finding updates detected' },
            ],
          }
        : imported(input),
    );

    // Act
    const report = await new SecurityHubPublisher(send, FAST).publish(batch);

    // Assess
    expect(requests.map((r) => r.Findings.map((f) => f.Id))).toEqual([batch.map((e) => e.finding.Id), [batch[1]?.finding.Id, batch[2]?.finding.Id]]);
    expect(report.delivered).toHaveLength(4);
  });

  it('does not re-import a finding Security Hub refused as invalid, and names it', async () => {
    // Prepare
    const batch = findings(2);
    const { send, requests } = fakeSend(() => ({
      FailedCount: 1,
      SuccessCount: 1,
      FailedFindings: [{ Id: batch[0]?.finding.Id, ErrorCode: 'InvalidInput', ErrorMessage: 'Finding does not adhere to Amazon Web Services Security Finding Format.' }],
    }));

    // Act
    const error = await new SecurityHubPublisher(send, FAST).publish(batch).catch((e: unknown) => e);

    // Assess
    expect(requests).toHaveLength(1);
    expect(error).toBeInstanceOf(FindingsNotDeliveredError);
    const e = error as FindingsNotDeliveredError;
    expect(e.message).toContain(`imported 1 of 2 findings after 1 BatchImportFindings calls; not imported: ${batch[0]?.finding.Id} (InvalidInput:`);
    expect(e.report.delivered.map((d) => d.item)).toEqual([batch[1]]);
  });

  it('retries a whole call that failed with LimitExceededException (429) or InternalException', async () => {
    // Prepare
    const { send, requests } = fakeSend((input, call) => {
      if (call === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } });
      if (call === 2) throw Object.assign(new Error('Internal'), { name: 'InternalException', $metadata: { httpStatusCode: 500 } });
      return imported(input);
    });

    // Act
    const report = await new SecurityHubPublisher(send, FAST).publish(findings(1));

    // Assess
    expect(requests).toHaveLength(3);
    expect(report.delivered).toHaveLength(1);
  });

  it('does not trust an answer with more failures than it names: none of the findings counts as imported', async () => {
    // Prepare
    const { send, requests } = fakeSend(() => ({ FailedCount: 2, SuccessCount: 0, FailedFindings: [] }));

    // Act
    const error = await new SecurityHubPublisher(send, { ...FAST, attempts: 2 }).publish(findings(2)).catch((e: unknown) => e);

    // Assess
    expect(requests).toHaveLength(2);
    expect((error as FindingsNotDeliveredError).report.delivered).toEqual([]);
    expect((error as FindingsNotDeliveredError).report.undelivered.map((u) => u.code)).toEqual(['UnexpectedAnswer', 'UnexpectedAnswer']);
  });

  it('refuses to send the same finding Id twice in one call', async () => {
    // Prepare
    const { send } = fakeSend(imported);
    const [one] = findings(1);

    // Act
    const publishing = new SecurityHubPublisher(send, FAST).publish([one as FindingEntry, one as FindingEntry]);

    // Assess
    await expect(publishing).rejects.toThrow('must not carry the same finding Id twice');
  });
});
