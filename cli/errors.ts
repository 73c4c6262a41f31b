/**
 * What goes wrong, said in one line: CLI errors carry their exit code (1: the request failed, 2: the command
 * line is wrong); AWS SDK errors are translated into what to do about them.
 */
import { AggwatchError, systemErrorCode } from '../core/errors';

export interface CliErrorOptions extends ErrorOptions {
  /** 1 (the default): the request failed; 2: the command line is wrong. */
  readonly exitCode?: number;
}

/** The request failed: exit code 1. */
export class CliError extends AggwatchError {
  override readonly name: string = 'CliError';
  readonly code: string = 'CommandFailed';
  readonly exitCode: number;
  constructor(message: string, options: CliErrorOptions = {}) {
    const { exitCode = 1, ...errorOptions } = options;
    super(message, errorOptions);
    this.exitCode = exitCode;
  }
}

/** The command line is wrong: exit code 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  override readonly code = 'InvalidUsage';
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, exitCode: 2 });
  }
}

/** What the command was talking to when it failed, for the message. */
export interface ErrorContext {
  tableName?: string;
  stackName?: string;
  region?: string;
  profile?: string;
}

const CREDENTIALS_HELP =
  'pass --profile NAME, set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), ' +
  'or run `aws sso login` (with --profile for a named SSO profile)';

/** Any error as a CliError with a one-line, actionable message (the original as its `cause`). */
export function explain(e: unknown, ctx: ErrorContext): CliError {
  if (e instanceof CliError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const failed = (text: string) => new CliError(text, { cause: err });
  const name = err.name;
  const message = oneLine(err.message);
  const where = ctx.region ? ` in ${ctx.region}` : '';
  const profile = ctx.profile ? ` (profile ${ctx.profile})` : '';

  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return failed(`No AWS credentials found${profile}: ${CREDENTIALS_HELP}.`);
  }
  const expired = ['TokenProviderError', 'ExpiredTokenException', 'ExpiredToken'].includes(name);
  if (expired || (/\bsso\b/i.test(message) && /expired|refresh/i.test(message))) {
    return failed(`Your AWS credentials have expired${profile}: run \`aws sso login\` (or refresh them) and retry.`);
  }
  if (['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch'].includes(name)) {
    return failed(`AWS rejected the credentials${profile} (${name}): ${CREDENTIALS_HELP}.`);
  }
  if (/region is missing|region="" is not valid/i.test(message) || /region=""/.test(message)) {
    return failed('No AWS region: pass --region REGION, set AWS_REGION, or set a region in your profile.');
  }
  if (/region not accepted/i.test(message)) {
    return failed(`Invalid AWS region: ${message.replace(/^Error: /, '')} (check --region, AWS_REGION, the profile).`);
  }
  if (name === 'ResourceNotFoundException' && ctx.tableName) {
    return failed(
      `Table "${ctx.tableName}" not found${where}${profile}: check --table (or --stack), --region and --profile.`,
    );
  }
  if (name === 'ValidationError' && ctx.stackName && /does not exist/i.test(message)) {
    return failed(
      `Stack "${ctx.stackName}" not found${where}${profile}: pass --stack NAME if it was deployed under another name, ` +
        'or --table NAME to read a table directly.',
    );
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || /not authorized to perform/i.test(message)) {
    return failed(`Access denied${profile}: ${message}`);
  }
  const code = systemErrorCode(err);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || name === 'TimeoutError') {
    return failed(`Could not reach AWS${where}: ${message}`);
  }
  return failed(`${name}: ${message}`);
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
