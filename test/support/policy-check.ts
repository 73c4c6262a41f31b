/**
 * Checks a synthesized template's policy statements against the vendored Service Authorization Reference entries
 * (./iam-reference.json): every Allow names actions the reference lists, on ARNs of the resource types it gives
 * them, and on "*" exactly where an action has no resource type. Deny statements only narrow; their actions must
 * still be real ones.
 */
import { CfnResolver, templatePolicies, type Template, type TemplatePolicy } from './cloudformation';
import {
  actionReference,
  expandAction,
  resourceTypesOf,
  type Environment,
  type PolicyStatement,
} from './iam';

export const TEST_ENV: Environment = { partition: 'aws', region: 'eu-west-1', accountId: '123456789012' };

/** A resolver giving every resource of the template a physical name derived from its logical id. */
export function testResolver(template: Template, env: Environment = TEST_ENV): CfnResolver {
  const names = Object.fromEntries(
    Object.entries(template.Resources).map(([id, r]) => [id, r.Type === 'AWS::EC2::SecurityGroup' ? 'sg-0123456789abcdef0' : `${id}-name`]),
  );
  return new CfnResolver(template, env, names);
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The KMS default key policy's first statement: the account may manage the key through IAM policies. */
function isAccountKeyAdministration(policy: TemplatePolicy, s: PolicyStatement, env: Environment): boolean {
  const principal = (s.Principal as { AWS?: unknown } | undefined)?.AWS;
  return (
    policy.kind === 'key' &&
    principal === `arn:${env.partition}:iam::${env.accountId}:root` &&
    list(s.Action).length === 1 &&
    list(s.Action)[0] === 'kms:*' &&
    list(s.Resource).join() === '*'
  );
}

/** One line per statement element the reference does not allow; empty when every statement conforms. */
export function statementViolations(policy: TemplatePolicy, env: Environment = TEST_ENV): string[] {
  const violations: string[] = [];
  policy.statements.forEach((s, index) => {
    const where = `${policy.id} statement ${s.Sid ?? index}`;
    if (s.NotAction !== undefined || s.NotResource !== undefined) {
      if (s.Effect === 'Allow') violations.push(`${where}: Allow with NotAction/NotResource grants unlisted actions`);
      return;
    }
    if (s.Effect === 'Deny') {
      for (const action of list(s.Action)) {
        if (/^[a-z0-9-]+:\*$/i.test(action)) continue;
        try {
          expandAction(action);
        } catch (e) {
          violations.push(`${where}: ${(e as Error).message}`);
        }
      }
      return;
    }
    if (isAccountKeyAdministration(policy, s, env)) return;
    // In a key policy "*" means "this KMS key" (AWS KMS Developer Guide, Key policies).
    const resources = policy.kind === 'key' ? list(s.Resource).map((r) => (r === '*' ? (policy.attachedTo[0] ?? r) : r)) : list(s.Resource);
    for (const pattern of list(s.Action)) {
      let actions: string[];
      try {
        actions = expandAction(pattern);
      } catch (e) {
        violations.push(`${where}: ${(e as Error).message}`);
        continue;
      }
      for (const action of actions) {
        const ref = actionReference(action);
        if (ref.resourceTypes.length === 0) {
          if (resources.some((r) => r !== '*')) violations.push(`${where}: ${action} has no resource type, so only "*" allows it, not ${resources.join(', ')}`);
          continue;
        }
        for (const resource of resources) {
          if (resource === '*') {
            violations.push(`${where}: ${action} takes ${ref.resourceTypes.map((t) => t.type).join('/')}, not "*"`);
          } else if (resourceTypesOf(ref, resource, env).length === 0) {
            violations.push(`${where}: ${resource} is none of ${action}'s resource types (${ref.resourceTypes.map((t) => t.arn).join(', ')})`);
          }
        }
      }
    }
  });
  return violations;
}

/** Every violation of every policy of the template. */
export function templateViolations(template: Template, env: Environment = TEST_ENV): string[] {
  return templatePolicies(template, testResolver(template, env)).flatMap((p) => statementViolations(p, env));
}
