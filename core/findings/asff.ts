/**
 * Security Hub CSPM findings in the AWS Security Finding Format (ASFF), for BatchImportFindings. Pure.
 *
 * One finding per source in an alert condition, under the account's default product (custom integration:
 * `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`, Security Hub CSPM User Guide,
 * "Integrating Security Hub CSPM with custom products"). Its Id is derived from the aggregator and the source, so a
 * re-import updates the same finding ("To update a finding, resubmit the finding with the same identifier",
 * Partner Guide, ASFF mapping guidelines). A recovered or removed source's finding is re-imported with
 * RecordState ARCHIVED and severity INFORMATIONAL ("No issue was found"): a finding provider cannot change
 * Workflow once the finding exists (BatchImportFindings, API Reference), and Security Hub resets a RESOLVED or
 * NOTIFIED workflow to NEW when RecordState goes from ARCHIVED back to ACTIVE (Workflow, API Reference), so a
 * relapse reopens the finding by itself.
 *
 * Required fields (API Reference, AwsSecurityFinding): SchemaVersion, Id, ProductArn, GeneratorId, AwsAccountId
 * (12 characters, the caller's account), CreatedAt, UpdatedAt, Title (<= 256), Description (<= 1,024), Resources
 * (<= 32). Severity and Types go in FindingProviderFields, as finding providers should send them. Recommendation
 * Text is at most 512 characters; ProductFields at most 50 pairs, keys <= 128, values <= 2,048. A finding is at
 * most 240 KB, a batch at most 100 findings and 6 MB (Partner Guide, BatchImportFindings guidelines).
 */
import { AggwatchError } from '../errors';
import type { SourceState } from '../model';
import type { Digest } from '../notices';
import type { ErrorCodeChange, Notice } from './changes';
import { noticesOf } from './changes';
import { EVENT_SOURCE } from './event-contract';
import { remediationFor } from './events';
import { digestId, sourceParts } from './ids';
import { block, isoOr, oneLine, utf8Bytes } from './text';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
export const MAX_FINDINGS_PER_CALL = 100;
export const MAX_FINDING_BYTES = 240 * 1024;
export const MAX_BATCH_BYTES = 6 * 1024 * 1024;
export const TITLE_MAX = 256;
export const DESCRIPTION_MAX = 1_024;
export const RECOMMENDATION_MAX = 512;
export const GENERATOR_ID = `${EVENT_SOURCE}/aggregator-source-status`;
/** ASFF types taxonomy: namespace/category/classifier; the classifier may be the provider's own. */
export const FINDING_TYPE = 'Software and Configuration Checks/AWS Security Best Practices/AWS Config Aggregator Source Status';

export type SeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** FAILED above OUTDATED and STALE: a failed source sends nothing; an outdated or stale one sends late. */
export const SEVERITY_BY_CONDITION: Readonly<Record<string, SeverityLabel>> = { FAILED: 'HIGH', OUTDATED: 'MEDIUM', STALE: 'MEDIUM' };
const DEFAULT_SEVERITY: SeverityLabel = 'MEDIUM';

/** An AwsSecurityFinding, with the members this monitor sets (arrays mutable, as the SDK's input types are). */
export interface AsffFinding {
  readonly SchemaVersion: typeof ASFF_SCHEMA_VERSION;
  readonly Id: string;
  readonly ProductArn: string;
  readonly ProductName: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly FirstObservedAt: string;
  readonly LastObservedAt: string;
  readonly Title: string;
  readonly Description: string;
  readonly FindingProviderFields: { readonly Severity: { readonly Label: SeverityLabel; readonly Original: string }; readonly Types: string[] };
  readonly Remediation?: { readonly Recommendation: { readonly Text: string } };
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly Resources: AsffResource[];
  readonly RecordState: 'ACTIVE' | 'ARCHIVED';
}

export interface AsffResource {
  readonly Type: string;
  readonly Id: string;
  readonly Partition: string;
  readonly Region: string;
}

/** Where the findings are imported: the monitor's own account, region and partition. */
export interface FindingsContext {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

export interface FindingEntry {
  readonly finding: AsffFinding;
  /** What to mark delivered once Security Hub imported the finding. */
  readonly about: Notice;
  readonly bytes: number;
}

/** A context or a finding Security Hub would refuse: names the value and what is allowed. */
export class FindingsInputError extends AggwatchError {
  override readonly name = 'FindingsInputError';
  readonly code = 'InvalidFindingsInput';
}

export function defaultProductArn(c: FindingsContext): string {
  return `arn:${c.partition}:securityhub:${c.region}:${c.accountId}:product/${c.accountId}/default`;
}

/** The finding's Id: readable prefix, then a hash of the aggregator and the source (fixed length, any input). */
export function findingId(s: Pick<SourceState, 'aggregator' | 'sourceType' | 'sourceId' | 'region'>): string {
  return `${EVENT_SOURCE}/${oneLine(s.aggregator, 256)}/${digestId(['finding', ...sourceParts(s)])}`;
}

/** The findings one aggregator's run owes: source notices and error-code changes (monitor notices have none). */
export function buildFindings(input: { readonly digest: Digest; readonly errorCodeChanges?: readonly ErrorCodeChange[]; readonly context: FindingsContext }): FindingEntry[] {
  const { digest, context } = input;
  if (!/^\d{12}$/.test(context.accountId)) throw new FindingsInputError(`accountId "${context.accountId}" is not a 12-digit AWS account id`);
  if (!/^aws(-[a-z]+)*$/.test(context.partition)) throw new FindingsInputError(`partition "${context.partition}" is not an AWS partition (aws, aws-cn, aws-us-gov, ...)`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(context.region)) throw new FindingsInputError(`region "${context.region}" is not an AWS region name`);
  const entries: FindingEntry[] = [];
  for (const about of noticesOf(digest, input.errorCodeChanges)) {
    if (about.kind === 'monitor') continue;
    const finding = toFinding(digest, about, context);
    const bytes = utf8Bytes(JSON.stringify(finding));
    if (bytes > MAX_FINDING_BYTES) throw new FindingsInputError(`finding ${finding.Id} is ${bytes} bytes; Security Hub takes at most 240 KB`);
    entries.push({ finding, about, bytes });
  }
  return entries;
}

/** Calls of at most 100 findings and 6 MB, in order. */
export function batchFindings<T extends { readonly bytes: number }>(entries: readonly T[]): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let used = 0;
  for (const e of entries) {
    // `{"Findings":[` and the commas between findings
    if (batch.length > 0 && (batch.length === MAX_FINDINGS_PER_CALL || used + e.bytes + 16 > MAX_BATCH_BYTES)) {
      batches.push(batch);
      batch = [];
      used = 0;
    }
    batch.push(e);
    used += e.bytes + 1;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

function toFinding(digest: Digest, about: Exclude<Notice, { kind: 'monitor' }>, context: FindingsContext): AsffFinding {
  const state = about.kind === 'source' ? about.notice.state : about.change.state;
  const condition = about.kind === 'source' ? about.notice.condition : about.change.condition;
  const resolved = about.kind === 'source' && about.notice.kind === 'recovery';
  const removed = resolved && about.notice.removed;
  const at = isoOr(digest.at, digest.at);
  const since = isoOr(state.since, at);
  // An archived finding keeps the time its alert began as far as the monitor knows it (the marker's time).
  const createdAt = resolved ? isoOr(state.notifiedAt, since) : since;
  const hint = resolved ? undefined : remediationFor(state, condition);
  const aggregator = oneLine(digest.aggregator, 256);
  const what = `${oneLine(state.sourceId, 128)} (${oneLine(state.sourceType, 32)}, ${oneLine(state.region, 32)})`;
  const title = resolved
    ? `AWS Config aggregator ${aggregator}: source ${what} ${removed ? 'was removed' : 'recovered'} (was ${oneLine(condition, 32)})`
    : `AWS Config aggregator ${aggregator}: source ${what} is ${oneLine(condition, 32)}`;
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: findingId(state),
    ProductArn: defaultProductArn(context),
    ProductName: EVENT_SOURCE,
    GeneratorId: GENERATOR_ID,
    AwsAccountId: context.accountId,
    CreatedAt: createdAt,
    UpdatedAt: at,
    FirstObservedAt: createdAt,
    LastObservedAt: at,
    Title: oneLine(title, TITLE_MAX),
    Description: block(describe(state, condition, resolved, removed, at), DESCRIPTION_MAX),
    FindingProviderFields: {
      Severity: { Label: resolved ? 'INFORMATIONAL' : (SEVERITY_BY_CONDITION[condition] ?? DEFAULT_SEVERITY), Original: oneLine(resolved ? (removed ? 'REMOVED' : state.status) : condition, 64) },
      Types: [FINDING_TYPE],
    },
    ...(hint !== undefined ? { Remediation: { Recommendation: { Text: oneLine(hint, RECOMMENDATION_MAX) } } } : {}),
    ProductFields: productFields(digest, state, condition, about),
    Resources: [resourceOf(state, context)],
    RecordState: resolved ? 'ARCHIVED' : 'ACTIVE',
  };
}

function describe(s: SourceState, condition: string, resolved: boolean, removed: boolean, at: string): string {
  const lines = resolved
    ? [
        removed
          ? `The source left the aggregator (seen at ${isoOr(s.removedAt, at)}) while it was ${oneLine(condition, 32)}.`
          : `The source is no longer ${oneLine(condition, 32)}: LastUpdateStatus ${oneLine(s.status, 32)} since ${isoOr(s.since, at)}.`,
      ]
    : [
        `AWS Config reports LastUpdateStatus ${oneLine(s.status, 32)} for this aggregator source${condition !== s.status ? ` (condition ${oneLine(condition, 32)})` : ''}, since ${isoOr(s.since, at)}.`,
        `Error code: ${s.errorCode ? oneLine(s.errorCode, 120) : 'none reported'}.`,
        `Message: ${s.errorMessage ? sentence(oneLine(s.errorMessage, 600)) : 'none reported.'}`,
      ];
  lines.push(`Last update: ${s.lastUpdateTime ? isoOr(s.lastUpdateTime, 'unknown') : 'unknown'}.`);
  return lines.join('\n');
}

const sentence = (text: string) => (/[.!?…]$/.test(text) ? text : `${text}.`);

function productFields(digest: Digest, s: SourceState, condition: string, about: Notice): Record<string, string> {
  const kind = about.kind === 'error-code' ? 'error-code-changed' : about.kind === 'source' ? (about.notice.removed ? 'removed' : about.notice.kind) : 'monitor';
  const value = (v: string) => oneLine(v, 2_048);
  return {
    [`${EVENT_SOURCE}/Aggregator`]: value(digest.aggregator),
    [`${EVENT_SOURCE}/SourceId`]: value(s.sourceId),
    [`${EVENT_SOURCE}/SourceType`]: value(s.sourceType),
    [`${EVENT_SOURCE}/AwsRegion`]: value(s.region),
    [`${EVENT_SOURCE}/LastUpdateStatus`]: value(s.status),
    [`${EVENT_SOURCE}/Condition`]: value(condition),
    [`${EVENT_SOURCE}/NoticeKind`]: kind,
    ...(s.errorCode ? { [`${EVENT_SOURCE}/LastErrorCode`]: value(s.errorCode) } : {}),
  };
}

/**
 * The source as a resource: an ACCOUNT source is the account (ASFF resource type AwsAccount, id
 * `AWS::::Account:<account id>`, as Security Hub's own account-level findings use), in the source's region;
 * anything else (an organization source) is `Other`.
 */
function resourceOf(s: SourceState, context: FindingsContext): AsffResource {
  const account = s.sourceType === 'ACCOUNT' && /^\d{12}$/.test(s.sourceId);
  return {
    Type: account ? 'AwsAccount' : 'Other',
    Id: account ? `AWS::::Account:${s.sourceId}` : oneLine(s.sourceId, 256) || '(missing)',
    Partition: context.partition,
    Region: oneLine(s.region, 64) || context.region,
  };
}
