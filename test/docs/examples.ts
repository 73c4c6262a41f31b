/**
 * The documented DynamoDB reads, and the AWS CLI that runs them.
 *
 * - `documentedReads` finds every fenced code block in README.md and docs/*.md that runs `aws dynamodb query`,
 *   `scan` or `get-item`, with the `<!-- expect: <kind> key=value ... -->` comment right above it: the claim the
 *   block's prose makes about what it returns, in a form the test checks.
 * - `runWithAwsCli` runs a block as written, with bash, in which `aws` is the real AWS CLI pointed at a local
 *   endpoint (`--endpoint-url`: the Debian CLI, 2.9, predates the `AWS_ENDPOINT_URL_<SERVICE>` variables), and
 *   returns the items of every call's JSON output.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A documented read: where it is, its text, and what its page says it returns. */
export interface DocumentedRead {
  /** `docs/table.md:42` (the line of the opening fence). */
  readonly where: string;
  readonly code: string;
  readonly expectation?: Expectation;
}

/** `<!-- expect: history aggregator=org-aggregator from=2026-11-01 -->` → kind `history`, params. */
export interface Expectation {
  readonly text: string;
  readonly kind: string;
  readonly params: Readonly<Record<string, string>>;
}

const AWS_READ = /\baws\s+dynamodb\s+(?:query|scan|get-item)\b/;
const FENCE = /^\s*(`{3,}|~{3,})/;
const EXPECT = /^<!--\s*expect:\s*(.*?)\s*-->$/;

/** The markdown files the docs consist of: README.md and every docs/*.md. */
export function documentationFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

export function documentedReads(root: string): DocumentedRead[] {
  return documentationFiles(root).flatMap((file) => readsIn(file, readFileSync(join(root, file), 'utf8')));
}

/** The fenced blocks of one markdown text that run a DynamoDB read with the AWS CLI. */
export function readsIn(file: string, markdown: string): DocumentedRead[] {
  const lines = markdown.split('\n');
  const reads: DocumentedRead[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (!open?.[1]) continue;
    const fence = open[1];
    let end = i + 1;
    while (end < lines.length && !(lines[end] ?? '').trim().startsWith(fence)) end++;
    const code = lines.slice(i + 1, end).join('\n');
    if (AWS_READ.test(code)) {
      let above = i - 1;
      while (above >= 0 && (lines[above] ?? '').trim() === '') above--;
      const comment = EXPECT.exec((lines[above] ?? '').trim());
      reads.push({ where: `${file}:${i + 1}`, code, ...(comment?.[1] ? { expectation: parseExpectation(comment[1]) } : {}) });
    }
    i = end;
  }
  return reads;
}

export function parseExpectation(text: string): Expectation {
  const [kind = '', ...pairs] = text.split(/\s+/);
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`expect: "${pair}" in "${text}" is not key=value`);
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { text, kind, params };
}

/** Replaces each placeholder (a whole token: not inside a longer name or number) with its value. */
export function substitute(text: string, placeholders: Readonly<Record<string, string>>): string {
  let out = text;
  for (const [placeholder, value] of Object.entries(placeholders)) {
    const escaped = placeholder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, 'g'), value);
  }
  return out;
}

// ---- the AWS CLI ----------------------------------------------------------------------------------------------

/** The CLI to run (`AGGWATCH_AWS_CLI` overrides `aws` on the PATH). */
export const AWS_CLI = process.env.AGGWATCH_AWS_CLI ?? 'aws';

/** `aws --version`, or an error saying how to install the CLI: the documented queries cannot be checked without it. */
export function awsCliVersion(): string {
  const r = spawnSync(AWS_CLI, ['--version'], { encoding: 'utf8', env: cliEnvironment({}) });
  if (r.error || r.status !== 0) {
    throw new Error(
      `The AWS CLI ("${AWS_CLI}") is not installed or does not run (${r.error?.message ?? r.stderr.trim()}). ` +
        'test/docs/queries.test.ts runs every `aws dynamodb` example of the docs with it: install it ' +
        '(Debian/Ubuntu: `apt-get install awscli`; elsewhere https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), ' +
        'or set AGGWATCH_AWS_CLI to its path.',
    );
  }
  return `${r.stdout}${r.stderr}`.trim();
}

export interface CliRun {
  /** The items of every `aws` call, in the order the calls returned them, unmarshalled. */
  readonly items: Record<string, unknown>[];
  readonly calls: number;
}

/**
 * Runs a documented block with bash (`set -euo pipefail`), its `aws` calls going to `endpoint` with dummy
 * credentials, `--output json`, no pager, and no configuration or credentials files of this machine.
 */
export async function runWithAwsCli(code: string, options: { endpoint: string; region: string; variables: Record<string, string> }): Promise<CliRun> {
  const out = mkdtempSync(join(tmpdir(), 'aggwatch-docs-'));
  try {
    const script = [
      'set -euo pipefail',
      '__calls=0',
      'aws() { __calls=$((__calls + 1)); command "$AGGWATCH_AWS_CLI" --endpoint-url "$AGGWATCH_ENDPOINT" --output json "$@" > "$AGGWATCH_OUT/$__calls.json"; }',
      code,
    ].join('\n');
    const env = cliEnvironment({
      ...options.variables,
      AGGWATCH_AWS_CLI: AWS_CLI,
      AGGWATCH_ENDPOINT: options.endpoint,
      AGGWATCH_OUT: out,
      AWS_REGION: options.region,
      AWS_DEFAULT_REGION: options.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_CONFIG_FILE: join(out, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(out, 'no-credentials'),
    });
    const { code: exit, stderr } = await run('bash', ['-c', script], env);
    if (exit !== 0) throw new Error(`the example failed (exit ${exit}):\n${stderr}`);
    const files = readdirSync(out)
      .filter((f) => f.endsWith('.json'))
      .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    const items = files.flatMap((f) => {
      const text = readFileSync(join(out, f), 'utf8');
      const output = JSON.parse(text) as { Items?: AttributeMap[]; Item?: AttributeMap };
      return [...(output.Items ?? []), ...(output.Item ? [output.Item] : [])].map(unmarshall);
    });
    return { items, calls: files.length };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** This process's environment without its AWS variables (no profile, endpoint or credentials leak in), plus `extra`. */
function cliEnvironment(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_')) env[k] = v;
  return { ...env, AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

// ---- DynamoDB JSON --------------------------------------------------------------------------------------------

type AttributeValue = { S?: string; N?: string; BOOL?: boolean; NULL?: boolean; L?: AttributeValue[]; M?: AttributeMap; SS?: string[]; NS?: string[] };
type AttributeMap = Record<string, AttributeValue>;

/** DynamoDB's typed JSON, as the CLI prints it, to plain values (the types this table uses). */
export function unmarshall(item: AttributeMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, value(v)]));
}

function value(v: AttributeValue): unknown {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.L !== undefined) return v.L.map(value);
  if (v.M !== undefined) return unmarshall(v.M);
  if (v.SS !== undefined) return [...v.SS];
  if (v.NS !== undefined) return v.NS.map(Number);
  throw new Error(`unexpected attribute value ${JSON.stringify(v)}`);
}
