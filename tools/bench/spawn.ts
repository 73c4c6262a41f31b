/**
 * Runs one measured step of the benchmark (child.ts) in a fresh Node.js process, without blocking this one (the
 * local endpoints and the Step Functions interpreter live here), and reads its outcome: the process's own peak RSS
 * (VmHWM) and the largest heap left after a full collection (`--trace-gc`).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildResult, ChildSpec } from './child';

/** `--trace-gc`'s line for a full collection: `Mark-Compact 282.4 (317.4) -> 73.6 (169.9) MB, ...`. */
const MARK_COMPACT = /Mark-Compact[^>]*->\s*([\d.]+)\s*\(/;

/** A child's outcome, with the largest heap left after a full collection (0: none happened), MB. */
export type Outcome = ChildResult & { readonly liveHeapMb: number };

/**
 * The process's own peak RSS: VmHWM, the high-water mark of its address space since exec. Not getrusage's maxRSS,
 * which Linux carries over from the forked copy of the parent process, dynalite's table and all.
 */
export function peakRssKiB(r: Outcome): number {
  return r.vmHwmKiB ?? r.maxRssKiB;
}

export class ChildRunner {
  private seq = 0;

  /** `work`: where result files go; `child`: the bundled child.ts. */
  constructor(
    private readonly work: string,
    private readonly child: string,
  ) {}

  /**
   * Runs `spec` with `nodeFlags` (Lambda's heap limits for the function, then any --node-args: V8 takes a flag's
   * last value). A process that ends without writing its outcome (killed, out of memory) is an outcome like any
   * other, `ChildExited` with what it said last.
   */
  async run(spec: ChildSpec, env: Record<string, string>, nodeFlags: readonly string[]): Promise<Outcome> {
    const seq = ++this.seq;
    const resultFile = join(this.work, `result-${seq}.json`);
    const full = { ...spec, resultFile } as ChildSpec;
    let liveHeapMb = 0;
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
      // --trace-gc only reports collections (it changes none): the heap left after each full one is the live set.
      const flags = spec.mode === 'handler' ? ['--trace-gc', ...nodeFlags] : nodeFlags;
      const child = spawn(process.execPath, [...flags, this.child, JSON.stringify(full)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      // Keep the tail only: the handler logs a few JSON lines per step.
      // BENCH_CHILD_LOG=<dir>: every process's whole output, for a closer look.
      const logDir = process.env.BENCH_CHILD_LOG;
      if (logDir) {
        mkdirSync(logDir, { recursive: true });
        child.stdout.pipe(createWriteStream(join(logDir, `${seq}-${spec.mode}.out`)));
        child.stderr.pipe(createWriteStream(join(logDir, `${seq}-${spec.mode}.err`)));
      }
      let partial = '';
      child.stdout.on('data', (c: Buffer) => {
        const text = c.toString();
        stdout = (stdout + text).slice(-8_000);
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const m = MARK_COMPACT.exec(line);
          if (m?.[1]) liveHeapMb = Math.max(liveHeapMb, Number(m[1]));
        }
      });
      child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8_000)));
      child.on('error', fail);
      child.on('close', (exit) => done({ code: exit, stdout, stderr }));
    });
    if (!existsSync(resultFile)) {
      const last = stderr.trim().split('\n').slice(-3).join(' / ') || stdout.trim().split('\n').slice(-1).join('');
      return { ok: false, initMs: Number.NaN, maxRssKiB: 0, liveHeapMb, peakMemory: { heapUsed: 0, heapTotal: 0, external: 0, rss: 0 }, error: { name: 'ChildExited', message: `exit ${code}: ${last.slice(0, 300)}` } };
    }
    const result = { ...(JSON.parse(readFileSync(resultFile, 'utf8')) as ChildResult), liveHeapMb };
    rmSync(resultFile, { force: true });
    if (!result.ok && process.env.BENCH_DEBUG) process.stderr.write(`${stdout}\n${stderr}\n`);
    return result;
  }
}
