import { describe, expect, it } from 'vitest';
import { FilterPolicyError, compileFilterPolicy, policyAccepts, type AttributeInput } from '../../tools/local/sns-filter-policy';

const str = (value: string) => ({ dataType: 'String', value });
const arr = (...values: unknown[]) => ({ dataType: 'String.Array', value: JSON.stringify(values) });
const num = (value: number) => ({ dataType: 'Number', value: String(value) });

const accepts = (policy: object, attributes: AttributeInput) => policyAccepts(compileFilterPolicy(policy), attributes);

describe('SNS filter policies in the fake SNS (attribute scope)', () => {
  it('matches exact strings, OR within a key and AND across keys', () => {
    // Prepare
    const policy = { format: ['email', 'json'], aggregator: ['org-agg'] };

    // Act and Assess
    expect(accepts(policy, { format: str('email'), aggregator: str('org-agg') })).toBe(true);
    expect(accepts(policy, { format: str('json'), aggregator: str('org-agg'), other: str('x') })).toBe(true);
    expect(accepts(policy, { format: str('sms'), aggregator: str('org-agg') })).toBe(false);
    expect(accepts(policy, { format: str('email') })).toBe(false);
  });

  it('matches a String.Array when any element matches', () => {
    // Act and Assess
    expect(accepts({ kinds: ['failure'] }, { kinds: arr('reminder', 'failure') })).toBe(true);
    expect(accepts({ kinds: ['failure'] }, { kinds: arr('reminder', 'recovery') })).toBe(false);
    expect(accepts({ kinds: ['failure'] }, { kinds: arr() })).toBe(false);
    // Documented: anything-but matches an array holding at least one other value.
    expect(accepts({ kinds: [{ 'anything-but': ['recovery'] }] }, { kinds: arr('recovery', 'failure') })).toBe(true);
    expect(accepts({ kinds: [{ 'anything-but': ['recovery'] }] }, { kinds: arr('recovery') })).toBe(false);
  });

  it('matches prefixes, anything-but (values or a prefix) and numeric ranges', () => {
    // Act and Assess
    expect(accepts({ aggregator: [{ prefix: 'org-' }] }, { aggregator: str('org-agg') })).toBe(true);
    expect(accepts({ aggregator: [{ prefix: 'org-' }] }, { aggregator: str('team') })).toBe(false);
    expect(accepts({ severity: [{ 'anything-but': 'info' }] }, { severity: str('error') })).toBe(true);
    expect(accepts({ severity: [{ 'anything-but': 'info' }] }, { severity: str('info') })).toBe(false);
    expect(accepts({ aggregator: [{ 'anything-but': { prefix: 'test-' } }] }, { aggregator: str('test-1') })).toBe(false);
    expect(accepts({ count: [{ numeric: ['>=', 10, '<', 100] }] }, { count: num(10) })).toBe(true);
    expect(accepts({ count: [{ numeric: ['>=', 10, '<', 100] }] }, { count: num(100) })).toBe(false);
    expect(accepts({ count: [{ numeric: ['=', 3] }] }, { count: str('3') })).toBe(false);
    expect(accepts({ count: [{ 'anything-but': [0] }] }, { count: num(2) })).toBe(true);
  });

  it('matches on whether a key exists, but never a message without attributes (a CloudWatch alarm)', () => {
    // Act and Assess
    expect(accepts({ format: [{ exists: true }] }, { format: str('sms') })).toBe(true);
    expect(accepts({ format: [{ exists: false }] }, { source: str('other') })).toBe(true);
    expect(accepts({ format: [{ exists: false }] }, { format: str('sms') })).toBe(false);
    // "exists": false "only matches if at least one attribute is present" (Developer Guide, key matching).
    expect(accepts({ format: [{ exists: false }] }, {})).toBe(false);
    expect(accepts({ format: ['email', { exists: false }] }, {})).toBe(false);
    expect(accepts({ $or: [{ format: ['email'] }, { format: [{ exists: false }] }] }, {})).toBe(false);
  });

  it('matches $or when one of its policies matches, with the other keys', () => {
    // Prepare
    const policy = { format: ['json'], $or: [{ kinds: ['failure'] }, { severity: ['error'] }] };

    // Act and Assess
    expect(accepts(policy, { format: str('json'), kinds: arr('reminder'), severity: str('error') })).toBe(true);
    expect(accepts(policy, { format: str('json'), kinds: arr('failure'), severity: str('warning') })).toBe(true);
    expect(accepts(policy, { format: str('json'), kinds: arr('reminder'), severity: str('warning') })).toBe(false);
    expect(accepts(policy, { format: str('email'), kinds: arr('failure'), severity: str('error') })).toBe(false);
  });

  it.each([
    [{ format: [{ suffix: 'ail' }] }, 'the suffix operator is not implemented by the fake SNS'],
    [{ format: [{ 'equals-ignore-case': 'EMAIL' }] }, 'the equals-ignore-case operator is not implemented'],
    [{ count: [3] }, '3 is not implemented by the fake SNS'],
    [{ format: { nested: ['x'] } }, 'nested keys apply to the MessageBody scope'],
    [{ format: [] }, 'must be a non-empty list of conditions'],
    [{}, 'must be a non-empty JSON object'],
    [{ $or: [{ format: ['email'] }] }, '$or takes a list of at least two policies'],
    [{ count: [{ numeric: ['<', 5, '>', 1] }] }, 'a numeric range is'],
    ['{"format": [', 'failed to parse JSON'],
  ])('rejects %j loudly: %s', (policy, message) => {
    // Act
    const compile = () => compileFilterPolicy(policy);

    // Assess
    expect(compile).toThrow(FilterPolicyError);
    expect(compile).toThrow(message);
  });
});
