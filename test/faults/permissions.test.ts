/**
 * The permission check every fault scenario ends with (support/permissions.ts, run by withLab), on a discovery
 * run: it sees the calls the worker, the dispatcher and the state machine really made, and it refuses what the
 * synthesized policies do not grant.
 */
import { describe, expect, it } from 'vitest';
import { withLab } from './support/lab';
import { deniedLabCalls, labCalls, rolePolicy } from './support/permissions';
import { MAIN, organization } from './support/script';
import { T0 } from './support/lab';

describe('the role-policy check of the fault scenarios', () => {
  it('allows a discovery run every call, and would refuse its discovery to a stack synthesized with names', async () => {
    const org = organization({ team: true });
    await withLab({ org, aggregators: [] }, async (l) => {
      const run = await l.tick(T0);
      expect(run.status).toBe('SUCCEEDED');
      expect(l.local.config.requests.map((r) => r.operation)).toContain('DescribeConfigurationAggregators');
      expect(deniedLabCalls(l)).toEqual([]);
      // Each principal made calls of its own: the check is not vacuous for any of them.
      const calls = labCalls(l, rolePolicy(l));
      expect(calls.dispatcher.map((c) => c.action)).toContain('states:StartExecution');
      expect(calls.stateMachine).toEqual([{ action: 'lambda:InvokeFunction', resource: l.artifact.worker.functionArn }]);
      expect(calls.worker.map((c) => c.action)).toContain('dynamodb:BatchWriteItem');
      expect(deniedLabCalls(l, rolePolicy(l, [MAIN]))).toEqual([{ action: 'config:DescribeConfigurationAggregators', resource: '*' }]);
    });
  });
});
