/**
 * AWS Control Tower's proactive controls, as AWS publishes them (cfn-guard rules, with the guard binary, in
 * @cdklabs/cdk-validator-cfnguard), run on a synthesized template. A landing zone that enables a control fails the
 * stack operation of a resource that breaks it; this gives each control's verdict before deploying.
 *
 * The plugin's own report (validateScope) flattens results per resource; the tests want one verdict per control,
 * passes and inapplicable controls included, so the guard binary is run here directly on its rule directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

const PACKAGE = dirname(createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
const RULES = join(PACKAGE, 'rules', 'control-tower', 'cfn-guard');

function guardBinary(): string {
  // The package's own layout (lib/plugin.js): bin/<ubuntu|macos>/<x86_64|aarch64>/cfn-guard.
  const os = platform() === 'linux' ? 'ubuntu' : platform() === 'darwin' ? 'macos' : undefined;
  const cpu = arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : undefined;
  if (!os || !cpu) throw new Error(`cfn-guard is not bundled for ${platform()} ${arch()}`);
  return join(PACKAGE, 'bin', os, cpu, 'cfn-guard');
}

function ruleFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? ruleFiles(path) : name.endsWith('.guard') ? [path] : [];
  });
}

/** Control id (CT.CLOUDWATCH.PR.3) of each top-level rule name, read from the rule files. */
function controlsByRule(): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const file of ruleFiles(RULES)) {
    const id = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(readFileSync(file, 'utf8'))?.[1] ?? basename(file, '.guard').toUpperCase().replace(/-/g, '.');
    for (const [, rule] of readFileSync(file, 'utf8').matchAll(/^rule\s+([a-z0-9_]+)\s+when\b/gm)) {
      if (rule) map.set(rule, [...new Set([...(map.get(rule) ?? []), id])]);
    }
  }
  return map;
}

export type ControlStatus = 'PASS' | 'FAIL' | 'SKIP';

export interface ControlResult {
  readonly id: string;
  readonly status: ControlStatus;
  /** The control's own [FIX] text, for a failing control. */
  readonly fix?: string;
}

interface GuardOutput {
  readonly compliant?: string[];
  readonly not_applicable?: string[];
  readonly not_compliant?: { Rule?: { name?: string } }[];
}

/** Every Control Tower proactive control's verdict on the template, sorted by id. */
export function controlTowerResults(template: unknown): ControlResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'aggwatch-guard-'));
  try {
    const data = join(dir, 'template.json');
    writeFileSync(data, JSON.stringify(template));
    const run = spawnSync(
      guardBinary(),
      ['validate', '--rules', RULES, '--data', data, '--output-format', 'json', '--show-summary', 'none', '--structured'],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    // Exit status 19 means "some rule failed"; anything else but 0 is guard itself failing.
    if (run.status !== 0 && run.status !== 19) throw new Error(`cfn-guard exited ${run.status}: ${run.stderr}`);
    const [output] = JSON.parse(run.stdout) as GuardOutput[];
    const controls = controlsByRule();
    const status = new Map<string, ControlStatus>();
    const fixes = new Map<string, string>();
    const mark = (rule: string, s: ControlStatus) => {
      for (const id of controls.get(rule) ?? [`(unmapped rule ${rule})`]) {
        const before = status.get(id);
        if (s === 'FAIL' || before === undefined || (s === 'PASS' && before === 'SKIP')) status.set(id, s);
      }
    };
    for (const rule of output?.not_applicable ?? []) mark(rule, 'SKIP');
    for (const rule of output?.compliant ?? []) mark(rule, 'PASS');
    for (const failure of output?.not_compliant ?? []) {
      const rule = failure.Rule?.name ?? '';
      mark(rule, 'FAIL');
      const fix = /\[FIX\]:\s*([^\n]*?)\s*(?:\\n|\n|")/.exec(JSON.stringify(failure))?.[1];
      for (const id of controls.get(rule) ?? []) if (fix) fixes.set(id, fix.replace(/\\'/g, "'"));
    }
    return [...status.entries()]
      .map(([id, s]) => ({ id, status: s, ...(fixes.has(id) ? { fix: fixes.get(id) } : {}) }))
      .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The ids of the controls with a status. */
export const controls = (results: readonly ControlResult[], status: ControlStatus): string[] =>
  results.filter((r) => r.status === status).map((r) => r.id);
