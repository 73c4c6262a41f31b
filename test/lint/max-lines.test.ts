/**
 * Issue 16's "no source file over 400 lines" is enforced by `npm run lint` (ESLint's core max-lines rule,
 * eslint.config.js): a file of 401 lines in a product's folder fails, one of 400 passes.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The max-lines messages for `source` as if it were the file `path` (relative to the repository; never written). */
async function maxLinesFindings(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'max-lines' || m.fatal).map((m) => m.message);
}

/** `count` lines of code (no blank line, no comment: the rule counts both anyway). */
const lines = (count: number) => Array.from({ length: count }, (_, i) => `export const v${i} = ${i};`).join('\n');

describe('max-lines', () => {
  it.each(['core/x.ts', 'test/unit/x.test.ts', 'tools/x.mjs'])('fires on a 401-line %s', async (path) => {
    const findings = await maxLinesFindings(path, lines(401));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/File has too many lines \(401\)\. Maximum allowed is 400\./);
  });

  it('lets a 400-line file in core/ pass', async () => {
    expect(await maxLinesFindings('core/x.ts', lines(400))).toEqual([]);
  });

  it('counts blank lines and comments too', async () => {
    const source = `${lines(200)}\n${'\n'.repeat(100)}${Array.from({ length: 101 }, () => '// a comment').join('\n')}`;
    expect(source.split('\n')).toHaveLength(401);
    expect(await maxLinesFindings('core/x.ts', source)).toHaveLength(1);
  });
});
