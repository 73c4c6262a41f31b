/**
 * Where the CLI writes, what it reads from its surroundings, and the SDK clients it may be handed: everything
 * a test or the demo injects to run a command in-process.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface Writer {
  write(chunk: string): unknown;
}

/** Client instances to use instead of building them from the options and environment. */
export interface CliClients {
  readonly dynamodb?: DynamoDBDocumentClient;
  readonly config?: ConfigServiceClient;
  readonly cloudformation?: CloudFormationClient;
}

export interface CliIo {
  stdout: Writer;
  stderr: Writer;
  /** Environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_*, credentials, NO_COLOR); default process.env. */
  env?: Record<string, string | undefined>;
  now?: () => Date;
  /** Colour the output; default: whether stdout is a terminal. NO_COLOR always wins. */
  isTTY?: boolean;
  clients?: CliClients;
}

/** The io with every default filled in. */
export interface Io {
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly env: Record<string, string | undefined>;
  readonly now: () => Date;
  readonly colour: boolean;
  readonly clients: CliClients;
}

export function resolveIo(io: CliIo | undefined): Io {
  const stdout = io?.stdout ?? process.stdout;
  const env = io?.env ?? process.env;
  const tty = io?.isTTY ?? Boolean((stdout as { isTTY?: boolean }).isTTY);
  // https://no-color.org: set and not empty disables colour.
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return {
    stdout,
    stderr: io?.stderr ?? process.stderr,
    env,
    now: io?.now ?? (() => new Date()),
    colour: tty && !noColor,
    clients: io?.clients ?? {},
  };
}
