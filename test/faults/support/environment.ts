/**
 * An execution environment of the fault lab: a Node.js process that loaded the handler bundle (its cold start) and
 * runs one invocation at a time, as Lambda reuses one; killed, it is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
/** The Handler setting the construct gives both functions: index.mjs, export handler. */
export const HANDLER = 'index.handler';
import type { LogLine } from './lab';

const RUNTIME = fileURLToPath(new URL('./lambda-runtime.mjs', import.meta.url));
const TIME_WARP = pathToFileURL(fileURLToPath(new URL('./time-warp.mjs', import.meta.url))).href;
/** A run that has not ended by then is killed and reported as hung. */
export const INVOCATION_LIMIT_MS = 60_000;

/** What the runtime reports of an invocation that ended (not killed). */
export interface Outcome {
  readonly ok: boolean;
  readonly phase?: 'init' | 'invoke';
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string; readonly stack?: string };
}

export interface Ran {
  readonly outcome: Outcome | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly killed: boolean;
  readonly signal: NodeJS.Signals | null;
  readonly cold: boolean;
}

let environments = 0;

/**
 * The environment a request came from, by its client's app id: the environment's id, to which Powertools appends
 * its own `/PT/<feature>/<version>/PTEnv/<env>` (the SDK sends `/` as `-`).
 */
export function environmentOf(client: string | undefined): string | undefined {
  return /^env-\d+-\d+(?=$|-)/.exec(client ?? '')?.[0];
}

/** One execution environment: a Node.js process running lambda-runtime.mjs, warm between invocations. */
export class Environment {
  /**
   * The environment's own id, sent by every SDK client in it as its user agent's `app/<id>` (AWS_SDK_UA_APP_ID):
   * the local endpoints record it on each request (RecordedRequest.client), which attributes every request to the
   * process, hence to the invocation, that made it, even while several run at once.
   */
  readonly id = `env-${process.pid}-${++environments}`;
  private readonly child: ChildProcess;
  private stdout = '';
  private stderr = '';
  private waiter: { readonly id: string; readonly cold: boolean; resolve(ran: Ran): void } | undefined;
  private invocations = 0;
  private killed = false;
  private dead = false;

  constructor(bundle: string, env: Record<string, string>, warp: number, readonly signature: string, handler = HANDLER) {
    const args = [...(warp > 1 ? ['--import', TIME_WARP] : []), RUNTIME, bundle, handler];
    this.child = spawn(process.execPath, args, { env: { ...env, AWS_SDK_UA_APP_ID: this.id }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (c: Buffer) => {
      this.stdout += c.toString();
      this.check();
    });
    this.child.stderr?.on('data', (c: Buffer) => {
      this.stderr += c.toString();
      this.check();
    });
    this.child.stdin?.on('error', () => undefined);
    this.child.on('close', (_code, signal) => {
      this.dead = true;
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter?.resolve({ outcome: undefined, stdout: this.stdout, stderr: this.stderr, killed: this.killed, signal, cold: waiter.cold });
    });
  }

  get idle(): boolean {
    return !this.dead && this.waiter === undefined;
  }

  run(event: unknown, timeoutSeconds: number): Promise<Ran> {
    const id = randomUUID();
    const cold = this.invocations++ === 0;
    const ran = new Promise<Ran>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(new Error(`invocation ${id} did not end within ${INVOCATION_LIMIT_MS} ms\n${this.stdout}\n${this.stderr}`));
      }, INVOCATION_LIMIT_MS);
      this.waiter = {
        id,
        cold,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
    });
    this.child.stdin?.write(`${JSON.stringify({ id, event, timeoutSeconds })}\n`);
    return ran;
  }

  kill(): void {
    this.killed = true;
    this.child.kill('SIGKILL');
  }

  /** Ends the invocation once both streams carry its end marker (the init error's, null, counts for any). */
  private check(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    const out = endMarker(this.stdout, waiter.id);
    const err = endMarker(this.stderr, waiter.id);
    if (!out || !err) return;
    const outcome = (JSON.parse(this.stdout.slice(out.start, out.end)) as { outcome: Outcome }).outcome;
    const ran: Ran = { outcome, stdout: this.stdout.slice(0, out.start), stderr: this.stderr.slice(0, err.start), killed: false, signal: null, cold: waiter.cold };
    this.stdout = this.stdout.slice(out.end);
    this.stderr = this.stderr.slice(err.end);
    this.waiter = undefined;
    waiter.resolve(ran);
  }
}

/** Where the end marker line of invocation `id` (or of an init error) is, if it is complete. */
function endMarker(text: string, id: string): { start: number; end: number } | undefined {
  for (const prefix of [`{"invocationEnd":${JSON.stringify(id)}`, '{"invocationEnd":null']) {
    const at = text.startsWith(prefix) ? 0 : text.indexOf(`\n${prefix}`);
    if (at < 0) continue;
    const start = at === 0 && text.startsWith(prefix) ? 0 : at + 1;
    const end = text.indexOf('\n', start);
    if (end >= 0) return { start, end: end + 1 };
  }
  return undefined;
}

export function parseLogs(stdout: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as LogLine;
      if (typeof parsed.message === 'string') lines.push(parsed);
    } catch {
      // Not a log line.
    }
  }
  return lines;
}
