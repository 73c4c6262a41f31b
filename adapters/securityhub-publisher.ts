/**
 * Imports the monitor's findings into Security Hub CSPM with BatchImportFindings, in calls the core already
 * sized (at most 100 findings, 240 KB each, 6 MB a call), resending only the findings that failed with a
 * retryable code.
 *
 * The response lists the findings it could not import in FailedFindings (Id, ErrorCode, ErrorMessage); every
 * other finding sent was imported. AWS documents no list of BatchImportFindings' per-finding error codes
 * (ImportFindingsError.ErrorCode is a free string). The codes BatchUpdateFindings documents for the same findings
 * are used: InternalFailure and ConcurrentUpdateError are retried; InvalidInput, FindingSizeExceeded and
 * DuplicatedFindingIdentifier are not, nor is a refusal of access. Any other code is retried within the attempts,
 * so a transient failure is not dropped; a re-import of the same Id is an update, never a duplicate finding.
 */
import { BatchImportFindingsCommand, type AwsSecurityFinding, type BatchImportFindingsResponse, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import { AggwatchError } from '../core/errors';
import type { FindingEntry } from '../core/findings';
import { UnexpectedAnswerError, deliver, listUndelivered, type DeliveryOptions, type DeliveryReport, type ItemOutcome } from './delivery';


export const PERMANENT_FINDING_CODES: ReadonlySet<string> = new Set([
  'InvalidInput',
  'InvalidInputException',
  'FindingSizeExceeded',
  'DuplicatedFindingIdentifier',
  'AccessDenied',
  'AccessDeniedException',
  'InvalidAccessException',
]);

export class FindingsNotDeliveredError extends AggwatchError {
  override readonly name = 'FindingsNotDeliveredError';
  readonly code = 'FindingsNotDelivered';
  constructor(
    readonly report: DeliveryReport<FindingEntry>,
    options?: ErrorOptions,
  ) {
    const total = report.delivered.length + report.undelivered.length;
    super(
      `Security Hub imported ${report.delivered.length} of ${total} findings after ${report.calls} BatchImportFindings calls; not imported: ${listUndelivered(report.undelivered, (e) => e.finding.Id)}`,
      options,
    );
  }
}

export class SecurityHubPublisher {
  constructor(
    private readonly client: Pick<SecurityHubClient, 'send'>,
    private readonly options: DeliveryOptions = {},
  ) {}

  /** Imports one call's findings (a batch from batchFindings); throws FindingsNotDeliveredError if any is left. */
  async publish(batch: readonly FindingEntry[]): Promise<DeliveryReport<FindingEntry>> {
    const ids = new Set(batch.map((e) => e.finding.Id));
    if (ids.size !== batch.length) {
      // One finding per source: the same Id twice in a call is a bug upstream, and Security Hub's answer is by Id.
      throw new Error(`a BatchImportFindings call must not carry the same finding Id twice (${batch.length} findings, ${ids.size} Ids)`);
    }
    const report = await deliver(
      batch,
      {
        call: async (entries) => outcomes(await this.client.send(new BatchImportFindingsCommand({ Findings: entries.map(toSdkFinding) })), entries),
        retryableItem: (code) => !PERMANENT_FINDING_CODES.has(code),
      },
      this.options,
    );
    if (report.undelivered.length > 0) throw new FindingsNotDeliveredError(report);
    return report;
  }
}

/**
 * The core's finding as the SDK types it. The shapes agree field for field (the core's is the subset it fills);
 * the SDK declares its fields mutable and its dates as strings, as ASFF has them.
 */
export const toSdkFinding = (e: FindingEntry): AwsSecurityFinding => e.finding as unknown as AwsSecurityFinding;

function outcomes(out: BatchImportFindingsResponse, sent: readonly FindingEntry[]): ItemOutcome[] {
  const failed = new Map<string, { code: string; message: string }>();
  for (const f of out.FailedFindings ?? []) {
    if (f.Id !== undefined) failed.set(f.Id, { code: f.ErrorCode ?? 'Unknown', message: f.ErrorMessage ?? f.ErrorCode ?? 'no message' });
  }
  const unnamed = (out.FailedFindings ?? []).some((f) => f.Id === undefined);
  if (unnamed || (out.FailedCount !== undefined && out.FailedCount > failed.size)) {
    // A failure it cannot tie to a finding: none of them is known to be imported.
    throw new UnexpectedAnswerError(`BatchImportFindings reported ${String(out.FailedCount)} failures, ${failed.size} of them by Id`);
  }
  return sent.map((e): ItemOutcome => {
    const f = failed.get(e.finding.Id);
    return f ? { ok: false, code: f.code, message: f.message } : { ok: true };
  });
}
