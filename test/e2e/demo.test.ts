/**
 * `npm run demo` (bin/demo.ts), as a reader of the README runs it: it exits 0 (the demo checks its own story and
 * exits non-zero if anything is off) and prints the engine's executions, the skipped tick and the CLI's view of it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** tsx's CLI, run by this Node.js (the project's, as `npm run demo` runs it), not whichever `node` PATH finds. */
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

function demo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, 'bin/demo.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run demo', () => {
  it('runs its story on the engine and exits 0', { timeout: 600_000 }, async () => {
    // Arrange: nothing to set up, as the README says.

    // Act
    const { code, stdout, stderr } = await demo();

    // Assert
    expect({ code, stderr: stderr.trim() }).toEqual({ code: 0, stderr: '' });
    const executions = stdout.split('\n').filter((l) => l.trimStart().startsWith('execution run-'));
    expect(executions).toHaveLength(6);
    for (const line of executions) expect(line).toMatch(/: SUCCEEDED · Begin, ReadRound( x\d+)?, ReconcileUnit( x\d+)?, NotifyAggregator, Finalize$/);
    expect(executions[0]).toMatch(/ReadRound x\d+, ReconcileUnit x16,/);
    expect(stdout).toMatch(/dispatcher: skipped · run-\S+ not started: run-\S+ was still running/);
    expect(stdout).toMatch(/\(all\) +skipped/);
  });
});
