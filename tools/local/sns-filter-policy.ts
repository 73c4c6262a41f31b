/**
 * Amazon SNS subscription filter policies on message attributes, as the Developer Guide documents them ("Amazon
 * SNS subscription filter policies" and the pages it links: AND/OR logic, key matching, string and numeric value
 * matching). Used by the fake SNS to decide which subscriptions receive a message.
 *
 * - A message is accepted when every key of the policy names one of its attributes and, for each, at least one of
 *   the key's conditions matches (AND across keys, OR within a key); `$or` takes a list of such policies, one of
 *   which must match. Each element of a String.Array attribute is matched on its own.
 * - `{"exists": false}` matches a message without that attribute, but "only matches if at least one attribute is
 *   present": a message without attributes (a CloudWatch alarm notification, say) matches no policy at all.
 * - Implemented conditions: exact strings, `prefix`, `anything-but` (strings, numbers, or `{prefix}`), `exists`,
 *   `numeric` (=, <, <=, >, >=, and a range). Anything else (suffix, equals-ignore-case, cidr, wildcard, bare
 *   numbers, nested keys, the MessageBody scope) is rejected when the subscription is made, naming what is missing
 *   here, so a test can never pass on a policy the fake only pretends to apply.
 */

export type AttributeInput = Readonly<Record<string, { readonly dataType: string; readonly value: string }>>;

/** A policy the fake SNS cannot apply: malformed, or using a feature this fake does not implement. */
export class FilterPolicyError extends Error {
  override readonly name = 'FilterPolicyError';
}

type Condition =
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'anything-but'; readonly values: readonly (string | number)[] }
  | { readonly kind: 'anything-but-prefix'; readonly value: string }
  | { readonly kind: 'exists'; readonly value: boolean }
  | { readonly kind: 'numeric'; readonly bounds: readonly (readonly [string, number])[] };

export interface CompiledPolicy {
  readonly keys: ReadonlyMap<string, readonly Condition[]>;
  readonly or: readonly CompiledPolicy[];
}

const NUMERIC_OPS = ['=', '<', '<=', '>', '>='];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks a FilterPolicy attribute (a JSON text or an object); throws FilterPolicyError. */
export function compileFilterPolicy(policy: string | object): CompiledPolicy {
  let parsed: unknown = policy;
  if (typeof policy === 'string') {
    try {
      parsed = JSON.parse(policy);
    } catch {
      throw new FilterPolicyError(`FilterPolicy: failed to parse JSON: ${policy}`);
    }
  }
  return compile(parsed, 'FilterPolicy');
}

function compile(policy: unknown, where: string): CompiledPolicy {
  if (!isObject(policy) || Object.keys(policy).length === 0) throw new FilterPolicyError(`${where}: must be a non-empty JSON object`);
  const keys = new Map<string, Condition[]>();
  const or: CompiledPolicy[] = [];
  for (const [key, value] of Object.entries(policy)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) throw new FilterPolicyError(`${where}: $or takes a list of at least two policies`);
      value.forEach((branch, i) => or.push(compile(branch, `${where}.$or[${i}]`)));
      continue;
    }
    if (isObject(value)) throw new FilterPolicyError(`${where}.${key}: nested keys apply to the MessageBody scope, not implemented by the fake SNS`);
    if (!Array.isArray(value) || value.length === 0) throw new FilterPolicyError(`${where}.${key}: must be a non-empty list of conditions`);
    keys.set(
      key,
      value.map((c) => condition(c, `${where}.${key}`)),
    );
  }
  return { keys, or };
}

function condition(c: unknown, where: string): Condition {
  if (typeof c === 'string') return { kind: 'exact', value: c };
  if (!isObject(c)) {
    throw new FilterPolicyError(`${where}: ${JSON.stringify(c)} is not implemented by the fake SNS (use a string, or {"numeric": ["=", n]})`);
  }
  const ops = Object.keys(c);
  const [op] = ops;
  if (ops.length !== 1 || op === undefined) throw new FilterPolicyError(`${where}: a condition object has exactly one operator, got ${JSON.stringify(c)}`);
  const arg = c[op];
  switch (op) {
    case 'prefix':
      if (typeof arg !== 'string' || arg === '') throw new FilterPolicyError(`${where}: prefix takes a non-empty string`);
      return { kind: 'prefix', value: arg };
    case 'exists':
      if (typeof arg !== 'boolean') throw new FilterPolicyError(`${where}: exists takes true or false`);
      return { kind: 'exists', value: arg };
    case 'anything-but': {
      if (isObject(arg)) {
        const prefix = arg.prefix;
        if (Object.keys(arg).length !== 1 || typeof prefix !== 'string') {
          throw new FilterPolicyError(`${where}: anything-but with an object supports only {"prefix": ...} in the fake SNS`);
        }
        return { kind: 'anything-but-prefix', value: prefix };
      }
      const values = Array.isArray(arg) ? arg : [arg];
      if (values.length === 0 || !values.every((v) => typeof v === 'string' || typeof v === 'number')) {
        throw new FilterPolicyError(`${where}: anything-but takes a string, a number or a list of them`);
      }
      return { kind: 'anything-but', values: values as (string | number)[] };
    }
    case 'numeric': {
      const bounds: [string, number][] = [];
      if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) throw new FilterPolicyError(`${where}: numeric takes [op, n] or [op, n, op, n]`);
      for (let i = 0; i < arg.length; i += 2) {
        const [o, n] = [arg[i], arg[i + 1]];
        if (typeof o !== 'string' || !NUMERIC_OPS.includes(o) || typeof n !== 'number') {
          throw new FilterPolicyError(`${where}: numeric takes operators ${NUMERIC_OPS.join(' ')} each followed by a number`);
        }
        bounds.push([o, n]);
      }
      if (bounds.length === 2 && !(['>', '>='].includes(bounds[0]?.[0] ?? '') && ['<', '<='].includes(bounds[1]?.[0] ?? ''))) {
        throw new FilterPolicyError(`${where}: a numeric range is [">" or ">=", low, "<" or "<=", high]`);
      }
      return { kind: 'numeric', bounds };
    }
    default:
      throw new FilterPolicyError(`${where}: the ${op} operator is not implemented by the fake SNS`);
  }
}

type Scalar = string | number | boolean | null;

/** The values a condition is matched against: a String.Array's elements, a Number's value, a String's text. */
function valuesOf(a: { readonly dataType: string; readonly value: string }): Scalar[] {
  if (a.dataType === 'String.Array') return JSON.parse(a.value) as Scalar[];
  if (a.dataType.split('.')[0] === 'Number') return [Number(a.value)];
  if (a.dataType.split('.')[0] === 'String') return [a.value];
  return []; // Binary attributes are not matched by filter policies.
}

function numericHolds(v: number, [op, n]: readonly [string, number]): boolean {
  return op === '=' ? v === n : op === '<' ? v < n : op === '<=' ? v <= n : op === '>' ? v > n : v >= n;
}

function conditionHolds(c: Condition, attribute: { readonly dataType: string; readonly value: string } | undefined): boolean {
  if (c.kind === 'exists') return c.value === (attribute !== undefined);
  if (attribute === undefined) return false;
  return valuesOf(attribute).some((v) => {
    switch (c.kind) {
      case 'exact':
        return v === c.value;
      case 'prefix':
        return typeof v === 'string' && v.startsWith(c.value);
      case 'anything-but':
        return (typeof v === 'string' || typeof v === 'number') && !c.values.includes(v);
      case 'anything-but-prefix':
        return typeof v === 'string' && !v.startsWith(c.value);
      case 'numeric':
        return typeof v === 'number' && c.bounds.every((b) => numericHolds(v, b));
    }
  });
}

/** Whether a message with these attributes passes the policy. */
export function policyAccepts(policy: CompiledPolicy, attributes: AttributeInput): boolean {
  if (Object.keys(attributes).length === 0) return false;
  for (const [key, conditions] of policy.keys) {
    if (!conditions.some((c) => conditionHolds(c, attributes[key]))) return false;
  }
  return policy.or.length === 0 || policy.or.some((branch) => policyAccepts(branch, attributes));
}
