/**
 * IAM as AWS documents it, for the tests: the Service Authorization Reference entries of the actions this stack's
 * policies name (vendored in iam-reference.json, with its source), and an evaluator of policy statements (Allow and
 * Deny, wildcards, NotAction/NotResource, principals of resource policies, the condition operators our policies use).
 *
 * Two rules of the reference carry the weight here:
 * - an action whose entry lists no resource type is authorized against "*", whatever the call names, so only a
 *   statement with `"Resource": "*"` allows it;
 * - an action with resource types is authorized against ARNs of those types.
 * Something this does not know (an action, an operator) fails loudly rather than being guessed.
 */
import reference from './iam-reference.json';

export interface Environment {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

interface ServiceEntry {
  readonly actions: Record<string, { readonly access: string; readonly resourceTypes: readonly string[] }>;
  readonly expansions?: Record<string, readonly string[]>;
  readonly resources: Record<string, string>;
}

const SERVICES = reference.services as unknown as Record<string, ServiceEntry>;

export interface ResourceType {
  readonly type: string;
  readonly required: boolean;
  /** The ARN format, with `${Partition}`-style placeholders. */
  readonly arn: string;
}

export interface ActionReference {
  readonly action: string;
  readonly access: string;
  /** Empty: the action has no resource type and is authorized against "*". */
  readonly resourceTypes: readonly ResourceType[];
}

function split(action: string): [string, string] {
  const at = action.indexOf(':');
  if (at <= 0) throw new Error(`not an IAM action: ${action}`);
  return [action.slice(0, at).toLowerCase(), action.slice(at + 1)];
}

/** The reference entry of an action (case-insensitive, as IAM compares actions). */
export function actionReference(action: string): ActionReference {
  const [prefix, name] = split(action);
  const service = SERVICES[prefix];
  const key = Object.keys(service?.actions ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
  if (!service || key === undefined) {
    throw new Error(`${action} is not in test/support/iam-reference.json: vendor its Service Authorization Reference entry`);
  }
  const entry = service.actions[key];
  return {
    action: `${prefix}:${key}`,
    access: entry?.access ?? '',
    resourceTypes: (entry?.resourceTypes ?? []).map((t) => {
      const type = t.replace(/\*$/, '');
      const arn = service.resources[type];
      if (arn === undefined) throw new Error(`iam-reference.json: ${prefix} has no ARN for resource type ${type}`);
      return { type, required: t.endsWith('*'), arn };
    }),
  };
}

/**
 * The actions an Action element names: itself when exact, the vendored complete expansion when a wildcard
 * (`kms:GenerateDataKey*`). A wildcard without one throws: its meaning would depend on actions we have not read.
 */
export function expandAction(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) return [actionReference(pattern).action];
  const [prefix, name] = split(pattern);
  const expansion = SERVICES[prefix]?.expansions?.[name];
  if (!expansion) throw new Error(`${pattern}: vendor the reference's complete expansion of this wildcard`);
  return expansion.map((a) => actionReference(`${prefix}:${a}`).action);
}

/**
 * The resources IAM evaluates a call against: "*" for an action without resource types (whatever the call named),
 * otherwise the ARNs the call acts on, each of which must be of one of the action's resource types.
 */
export function requestResources(action: string, arns: readonly string[], env: Environment): string[] {
  const ref = actionReference(action);
  if (ref.resourceTypes.length === 0) return ['*'];
  if (arns.length === 0) throw new Error(`${action} acts on a resource of type ${ref.resourceTypes.map((t) => t.type).join(' or ')}, but none was recorded`);
  for (const arn of arns) {
    if (resourceTypesOf(ref, arn, env).length === 0) {
      throw new Error(`${action} on ${arn}: not an ARN of its resource types (${ref.resourceTypes.map((t) => t.arn).join(', ')})`);
    }
  }
  return [...arns];
}

/** The resource types of `ref` a policy Resource element (an ARN, possibly with wildcards) can match. */
export function resourceTypesOf(ref: ActionReference, resource: string, env: Environment): ResourceType[] {
  return ref.resourceTypes.filter((t) => patternsOverlap(resource, arnTemplate(t.arn, env)));
}

// ---------------------------------------------------------------------------------------------------------------
// ARN patterns. A policy Resource is a glob (`*` any run, `?` one character); a reference ARN format is literal
// text with placeholders. They overlap when some ARN matches both: this is how "each action's allowed resource
// types and ARN patterns" is checked without guessing values.
// ---------------------------------------------------------------------------------------------------------------

type Sym = { lit: string } | { any: true } | { one: true } | { placeholder: RegExp; first: boolean };

/** A reference ARN format with the environment filled in; other placeholders stand for one or more characters. */
function arnTemplate(arn: string, env: Environment): Sym[] {
  const filled = arn.replace('${Partition}', env.partition).replace('${Region}', env.region).replace('${Account}', env.accountId);
  const out: Sym[] = [];
  for (const part of filled.split(/(\$\{[^}]+\})/)) {
    if (part.startsWith('${')) {
      // Names of log groups and streams may contain "/"; no placeholder spans a ":" or, for the others, a "/".
      const chars = /LogGroupName|LogStreamName/.test(part) ? /[^:]/ : /[^:/]/;
      out.push({ placeholder: chars, first: true }, { placeholder: chars, first: false });
    } else {
      for (const c of part) out.push({ lit: c });
    }
  }
  return out;
}

function globSymbols(glob: string): Sym[] {
  return [...glob].map((c) => (c === '*' ? { any: true } : c === '?' ? { one: true } : { lit: c }));
}

/** Whether some string matches both the glob and the template (memoized walk over both). */
export function patternsOverlap(glob: string, template: Sym[]): boolean {
  const p = globSymbols(glob);
  const t = template;
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const a = p[i];
    const b = t[j];
    if (a === undefined && b === undefined) result = true;
    else if (a === undefined) result = b !== undefined && 'placeholder' in b && !b.first && go(i, j + 1);
    else if (b === undefined) result = 'any' in a && go(i + 1, j);
    else if ('any' in a) result = go(i + 1, j) || go(i, j + 1);
    else if ('placeholder' in b && !b.first) {
      // Zero or more further characters of the placeholder.
      result = go(i, j + 1) || (('lit' in a ? b.placeholder.test(a.lit) : true) && go(i + 1, j));
    } else {
      const ok = 'lit' in a ? ('lit' in b ? a.lit === b.lit : 'placeholder' in b ? b.placeholder.test(a.lit) : true) : true;
      result = ok && go(i + 1, j + 1);
    }
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Policy evaluation
// ---------------------------------------------------------------------------------------------------------------

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Who makes a request to a resource policy: a service, or an IAM principal (role or account root ARN). */
export type RequestPrincipal = { readonly service: string } | { readonly aws: string };

export interface Request {
  readonly action: string;
  readonly resource: string;
  /** Checked against the statements' Principal; leave out for identity policies, which have none. */
  readonly principal?: RequestPrincipal;
  /** Request context keys (aws:SourceArn, aws:SecureTransport, kms:EncryptionContext:..., ...). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** IAM wildcards: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function principalMatches(principal: unknown, who: RequestPrincipal | undefined): boolean {
  if (principal === undefined) return true; // identity policy
  if (who === undefined) throw new Error('a resource-policy statement needs a request principal');
  if (principal === '*') return true;
  const p = principal as { AWS?: unknown; Service?: unknown };
  if ('service' in who) return list(p.Service).includes(who.service) || list(p.AWS).includes('*');
  return list(p.AWS).some((arn) => {
    if (arn === '*' || arn === who.aws) return true;
    // An account's root ARN stands for every principal of the account (the account delegates to IAM policies).
    const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(arn);
    return root !== null && who.aws.split(':')[4] === root[1];
  });
}

const OPERATORS: Record<string, (values: string[], actual: string[]) => boolean> = {
  StringEquals: (v, a) => a.some((x) => v.includes(x)),
  StringNotEquals: (v, a) => !a.some((x) => v.includes(x)),
  StringLike: (v, a) => a.some((x) => v.some((p) => wildcardMatch(p, x))),
  StringNotLike: (v, a) => !a.some((x) => v.some((p) => wildcardMatch(p, x))),
  ArnEquals: (v, a) => a.some((x) => v.some((p) => wildcardMatch(p, x))),
  ArnLike: (v, a) => a.some((x) => v.some((p) => wildcardMatch(p, x))),
  ArnNotEquals: (v, a) => !a.some((x) => v.some((p) => wildcardMatch(p, x))),
  ArnNotLike: (v, a) => !a.some((x) => v.some((p) => wildcardMatch(p, x))),
  Bool: (v, a) => a.some((x) => v.map((s) => s.toLowerCase()).includes(x.toLowerCase())),
};

/** Whether every condition of a statement holds for the request context (keys compared case-insensitively). */
export function conditionsHold(condition: PolicyStatement['Condition'], context: Request['context'] = {}): boolean {
  const lookup = (key: string): string[] | undefined => {
    const found = Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase());
    return found === undefined ? undefined : list(context[found]);
  };
  return Object.entries(condition ?? {}).every(([operator, entries]) => {
    const ifExists = operator.endsWith('IfExists');
    const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
    return Object.entries(entries).every(([key, expected]) => {
      const actual = lookup(key);
      if (base === 'Null') return (actual === undefined) === (String(expected) === 'true');
      if (actual === undefined) return ifExists || base.includes('Not');
      const test = OPERATORS[base];
      if (!test) throw new Error(`condition operator ${operator} is not implemented here`);
      return test(list(expected), actual);
    });
  });
}

function applies(s: PolicyStatement, r: Request): boolean {
  const actionMatches =
    s.Action !== undefined
      ? list(s.Action).some((a) => wildcardMatch(a, r.action, true))
      : !list(s.NotAction).some((a) => wildcardMatch(a, r.action, true));
  const resourceMatches =
    s.Resource !== undefined
      ? list(s.Resource).some((p) => wildcardMatch(p, r.resource))
      : !list(s.NotResource).some((p) => wildcardMatch(p, r.resource));
  return actionMatches && resourceMatches && principalMatches(s.Principal, r.principal) && conditionsHold(s.Condition, r.context);
}

/** Whether the statements allow the request: an applicable Allow and no applicable Deny. */
export function isAllowed(statements: readonly PolicyStatement[], request: Request): boolean {
  if (statements.some((s) => s.Effect === 'Deny' && applies(s, request))) return false;
  return statements.some((s) => s.Effect === 'Allow' && applies(s, request));
}
