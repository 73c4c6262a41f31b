/**
 * A local AWS Security Hub CSPM endpoint for BatchImportFindings, speaking the protocol
 * @aws-sdk/client-securityhub uses: REST-JSON.
 *
 * - `POST /findings/import`, `Content-Type: application/json`, body `{ "Findings": [...] }`, SigV4-signed (not
 *   checked; the credential scope is recorded).
 * - Answers `{ FailedCount, SuccessCount, FailedFindings: [{ Id, ErrorCode, ErrorMessage }] }`; an error of the
 *   whole call is HTTP 4xx/5xx with the `x-amzn-ErrorType` header and `{ "Code", "Message" }` (the members of
 *   Security Hub's exception shapes): InvalidInputException 400, InvalidAccessException 401, AccessDeniedException
 *   403, LimitExceededException 429, InternalException 500.
 * - Checks what AWS documents: Security Hub enabled in the account (InvalidAccessException otherwise); 1 to 100
 *   findings and at most 6 MB a call; each finding with the required members (SchemaVersion 2018-10-08, Id,
 *   ProductArn, GeneratorId, AwsAccountId of 12 digits, CreatedAt, UpdatedAt in the accepted timestamp formats,
 *   Title <= 256, Description <= 1,024, Resources 1..32 with Type and Id), Severity labels, RecordState, finding
 *   types of the ASFF taxonomy's namespaces, Recommendation Text <= 512, ProductFields <= 50 pairs (keys <= 128,
 *   values <= 2,048), at most 240 KB (FindingSizeExceeded). A finding of another account or product than the
 *   caller's default product fails on its own; AWS does not document the code for that: AccessDeniedException and
 *   InvalidInput here.
 * - Keeps the findings by product and Id as Security Hub does for a finding provider: an import of a known Id
 *   updates it, but Note, UserDefinedFields, VerificationState and Workflow stay as they are (BatchImportFindings
 *   cannot update them once the finding exists); RecordState going from ARCHIVED back to ACTIVE resets a NOTIFIED
 *   or RESOLVED workflow to NEW (Workflow, API Reference).
 *
 * Faults: the shared hooks of FakeAwsServer, and per-finding failures (`injectFindingFailure`) answered in
 * FailedFindings while the other findings of the call are imported.
 */
import type { IncomingMessage } from 'node:http';
import { FakeAwsServer, type Call, type FakeServerOptions, type Reply } from './fake-server';
import { credentialScope, jsonObjectBody, newRequestId, type RawResponse, ServiceError } from './wire';

export const IMPORT_PATH = '/findings/import';
export const MAX_FINDINGS = 100;
export const MAX_FINDING_BYTES = 240 * 1024;
export const MAX_CALL_BYTES = 6 * 1024 * 1024;
const SEVERITY_LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const TYPE_NAMESPACES = ['Software and Configuration Checks', 'TTPs', 'Effects', 'Unusual Behaviors', 'Sensitive Data Identifications'];
/** The timestamp formats the API Reference lists for CreatedAt and the other ASFF times. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

export const SECURITYHUB_FAULTS = {
  throttling: { error: { code: 'LimitExceededException', message: 'Rate exceeded', status: 429 } },
  internalError: { error: { code: 'InternalException', message: 'Internal service failure', status: 500 } },
  unavailable: { error: { code: 'ServiceUnavailable', message: 'Service is unavailable.', status: 503 } },
  notSubscribed: { error: { code: 'InvalidAccessException', message: 'Account is not subscribed to AWS Security Hub', status: 401 } },
  killAfterAcceptance: { served: { destroy: true } },
} as const;

export const FINDING_FAULTS = {
  internal: { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure' },
  concurrent: { ErrorCode: 'ConcurrentUpdateError', ErrorMessage: 'Concurrent finding updates detected' },
} as const;

export interface FindingFailure {
  readonly ErrorCode: string;
  readonly ErrorMessage: string;
}

export type FindingFaultHook = (finding: Readonly<Record<string, unknown>>, index: number, seq: number) => FindingFailure | undefined;

/** A finding as stored, with the customer's workflow. */
export interface StoredFinding {
  readonly finding: Record<string, unknown>;
  readonly workflowStatus: string;
  readonly recordState: string;
  readonly severityLabel?: string;
  readonly imports: number;
}

export class FakeSecurityHub extends FakeAwsServer {
  /** By `${ProductArn} ${Id}`. */
  readonly findings = new Map<string, StoredFinding>();
  /** Security Hub CSPM enabled in the account. */
  enabled = true;
  private readonly findingHooks: FindingFaultHook[] = [];
  private importCalls = 0;

  constructor(
    readonly accountId = '123456789012',
    readonly region = 'us-east-1',
    options: FakeServerOptions = {},
  ) {
    super('securityhub', options);
  }

  get defaultProductArn(): string {
    return `arn:aws:securityhub:${this.region}:${this.accountId}:product/${this.accountId}/default`;
  }

  finding(id: string, productArn = this.defaultProductArn): StoredFinding | undefined {
    return this.findings.get(`${productArn} ${id}`);
  }

  /** What a customer does with BatchUpdateFindings: sets the workflow status of a finding. */
  setWorkflowStatus(id: string, status: 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED'): void {
    const key = `${this.defaultProductArn} ${id}`;
    const stored = this.findings.get(key);
    if (stored) this.findings.set(key, { ...stored, workflowStatus: status });
  }

  injectFindingFailure(hook: FindingFaultHook): () => void {
    this.findingHooks.push(hook);
    return () => {
      const i = this.findingHooks.indexOf(hook);
      if (i >= 0) this.findingHooks.splice(i, 1);
    };
  }

  override clearFaults(): void {
    super.clearFaults();
    this.findingHooks.length = 0;
  }

  protected decode(req: IncomingMessage, body: Buffer): Call {
    if (!credentialScope(req)) throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || path !== IMPORT_PATH) throw new ServiceError('UnknownOperationException', `No operation for ${req.method} ${path}`, 404);
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]?.trim();
    if (contentType !== 'application/json') throw new ServiceError('SerializationException', `Unexpected Content-Type ${contentType || '(none)'}`);
    if (body.length > MAX_CALL_BYTES) throw invalidInput(`The request is ${body.length} bytes; a BatchImportFindings call is at most 6 MB`);
    const input = jsonObjectBody(body);
    const findings = Array.isArray(input.Findings) ? (input.Findings as unknown[]) : [];
    const products = new Set(findings.map((f) => (f as Record<string, unknown> | null)?.ProductArn).filter((p): p is string => typeof p === 'string'));
    return { operation: 'BatchImportFindings', input, resources: [...products] };
  }

  protected execute(call: Call): Reply {
    if (!this.enabled) throw new ServiceError('InvalidAccessException', `Account ${this.accountId} is not subscribed to AWS Security Hub`, 401);
    const findings = (call.input as Record<string, unknown>).Findings;
    if (!Array.isArray(findings)) throw invalidInput("Invalid parameter 'Findings': a list of findings is required");
    if (findings.length < 1 || findings.length > MAX_FINDINGS) throw invalidInput(`Findings: a call imports 1 to ${MAX_FINDINGS} findings, not ${findings.length}`);
    const seq = ++this.importCalls;
    const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = [];
    findings.forEach((value, index) => {
      const f = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
      const id = typeof f.Id === 'string' && f.Id !== '' ? f.Id : `(finding ${index} without Id)`;
      const failure = this.check(f) ?? this.findingHooks.map((h) => h(f, index, seq)).find((x) => x !== undefined);
      if (failure) failed.push({ Id: id, ...failure });
      else this.store(f);
    });
    return { output: { FailedCount: failed.length, SuccessCount: findings.length - failed.length, FailedFindings: failed } };
  }

  protected encodeOutput(_call: Call, output: unknown): RawResponse {
    return { status: 200, headers: headers(), body: JSON.stringify(output) };
  }

  protected encodeError(error: ServiceError): RawResponse {
    return { status: error.status, headers: { ...headers(), 'x-amzn-errortype': error.code }, body: JSON.stringify({ Code: error.code, Message: error.message }) };
  }

  private check(f: Record<string, unknown>): FindingFailure | undefined {
    const bytes = Buffer.byteLength(JSON.stringify(f));
    if (bytes > MAX_FINDING_BYTES) return { ErrorCode: 'FindingSizeExceeded', ErrorMessage: `Finding size exceeded 240 KB (${bytes} bytes)` };
    const problem = asffProblem(f);
    if (problem) return { ErrorCode: 'InvalidInput', ErrorMessage: `Finding does not adhere to Amazon Web Services Security Finding Format. [${problem}]` };
    if (f.AwsAccountId !== this.accountId) {
      return { ErrorCode: 'AccessDeniedException', ErrorMessage: `Account ${this.accountId} cannot import findings for account ${String(f.AwsAccountId)}` };
    }
    if (f.ProductArn !== this.defaultProductArn) return { ErrorCode: 'InvalidInput', ErrorMessage: `Product ${String(f.ProductArn)} is not enabled for account ${this.accountId}` };
    return undefined;
  }

  private store(f: Record<string, unknown>): void {
    const key = `${String(f.ProductArn)} ${String(f.Id)}`;
    const known = this.findings.get(key);
    const recordState = typeof f.RecordState === 'string' ? f.RecordState : (known?.recordState ?? 'ACTIVE');
    const provider = f.FindingProviderFields as { Severity?: { Label?: string } } | undefined;
    const severityLabel = provider?.Severity?.Label ?? (f.Severity as { Label?: string } | undefined)?.Label ?? known?.severityLabel;
    if (!known) {
      const workflow = (f.Workflow as { Status?: string } | undefined)?.Status ?? 'NEW';
      this.findings.set(key, { finding: f, workflowStatus: workflow, recordState, ...(severityLabel ? { severityLabel } : {}), imports: 1 });
      return;
    }
    // The customer's fields stay; the provider's are replaced.
    const customer = Object.fromEntries(['Note', 'UserDefinedFields', 'VerificationState', 'Workflow'].filter((k) => k in known.finding).map((k) => [k, known.finding[k]]));
    const reopened = known.recordState === 'ARCHIVED' && recordState === 'ACTIVE' && ['NOTIFIED', 'RESOLVED'].includes(known.workflowStatus);
    const { Note: _n, UserDefinedFields: _u, VerificationState: _v, Workflow: _w, ...provided } = f;
    this.findings.set(key, {
      finding: { ...provided, ...customer },
      workflowStatus: reopened ? 'NEW' : known.workflowStatus,
      recordState,
      ...(severityLabel ? { severityLabel } : {}),
      imports: known.imports + 1,
    });
  }
}

/** The first way the finding breaks the ASFF rules AWS documents, or undefined. */
export function asffProblem(f: Record<string, unknown>): string | undefined {
  const str = (k: string, min: number, max: number): string | undefined => {
    const v = f[k];
    if (v === undefined) return `Missing required field ${k}`;
    if (typeof v !== 'string' || !/\S/.test(v)) return `${k} must be a non-empty string`;
    if (v.length < min || v.length > max) return `${k} must be ${min} to ${max} characters, not ${v.length}`;
    return undefined;
  };
  const problem =
    str('SchemaVersion', 1, 64) ??
    str('Id', 1, 512) ??
    str('ProductArn', 12, 2048) ??
    str('GeneratorId', 1, 512) ??
    str('AwsAccountId', 12, 12) ??
    str('CreatedAt', 1, 64) ??
    str('UpdatedAt', 1, 64) ??
    str('Title', 1, 256) ??
    str('Description', 1, 1024);
  if (problem) return problem;
  if (f.SchemaVersion !== '2018-10-08') return `SchemaVersion ${String(f.SchemaVersion)} is not 2018-10-08`;
  if (!/^\d{12}$/.test(f.AwsAccountId as string)) return 'AwsAccountId must be 12 digits';
  for (const k of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt']) {
    if (f[k] !== undefined && (typeof f[k] !== 'string' || !TIMESTAMP.test(f[k] as string))) return `${k} ${String(f[k])} is not a valid timestamp`;
  }
  const resources = f.Resources;
  if (!Array.isArray(resources) || resources.length < 1 || resources.length > 32) return 'Resources must hold 1 to 32 resources';
  for (const r of resources as Record<string, unknown>[]) {
    if (typeof r?.Type !== 'string' || !/\S/.test(r.Type) || typeof r.Id !== 'string' || !/\S/.test(r.Id)) return 'Each resource needs a Type and an Id';
    if (r.Partition !== undefined && !['aws', 'aws-cn', 'aws-us-gov'].includes(r.Partition as string)) return `Partition ${String(r.Partition)} is not valid`;
  }
  for (const sev of [f.Severity, (f.FindingProviderFields as Record<string, unknown> | undefined)?.Severity]) {
    const label = (sev as { Label?: unknown } | undefined)?.Label;
    if (label !== undefined && !SEVERITY_LABELS.includes(label as string)) return `Severity.Label ${String(label)} is not one of ${SEVERITY_LABELS.join(', ')}`;
  }
  for (const types of [f.Types, (f.FindingProviderFields as Record<string, unknown> | undefined)?.Types]) {
    if (types === undefined) continue;
    if (!Array.isArray(types) || types.length > 50) return 'Types must be a list of at most 50 types';
    for (const t of types as unknown[]) {
      const parts = typeof t === 'string' ? t.split('/') : [];
      if (parts.length < 1 || parts.length > 3 || !TYPE_NAMESPACES.includes(parts[0] ?? '')) return `Type ${String(t)} is not namespace/category/classifier of the ASFF taxonomy`;
    }
  }
  if (f.RecordState !== undefined && !['ACTIVE', 'ARCHIVED'].includes(f.RecordState as string)) return `RecordState ${String(f.RecordState)} is not ACTIVE or ARCHIVED`;
  const text = ((f.Remediation as { Recommendation?: { Text?: unknown } } | undefined)?.Recommendation?.Text);
  if (text !== undefined && (typeof text !== 'string' || text.length < 1 || text.length > 512)) return 'Remediation.Recommendation.Text must be 1 to 512 characters';
  const fields = f.ProductFields;
  if (fields !== undefined) {
    const entries = Object.entries(fields as Record<string, unknown>);
    if (entries.length > 50) return `ProductFields holds ${entries.length} pairs; at most 50`;
    for (const [k, v] of entries) if (k.length > 128 || typeof v !== 'string' || v.length > 2048) return `ProductFields ${k.slice(0, 40)} is too long`;
  }
  return undefined;
}

function invalidInput(message: string): ServiceError {
  return new ServiceError('InvalidInputException', message, 400);
}

function headers(): Record<string, string> {
  return { 'content-type': 'application/json', 'x-amzn-requestid': newRequestId() };
}
