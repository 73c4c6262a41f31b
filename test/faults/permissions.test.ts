/**
 * The permission check every fault scenario ends with (support/permissions.ts, run by withLab), on a discovery
 * run: it sees the calls the handler really made, and it refuses what the synthesized policy does not grant.
 */
import { describe, expect, it } from 'vitest';
import { withLab } from './support/lab';
import { deniedLabCalls, rolePolicy } from './support/permissions';
import { MAIN, organization } from './support/script';
import { T0 } from './support/lab';

describe('the role-policy check of the fault scenarios', () => {
  it('allows a discovery run every call, and would refuse its discovery to a stack synthesized with names', async () => {
    const org = organization({ team: true });
    await withLab({ org, aggregators: [] }, async (l) => {
      const run = await l.invoke(T0);
      expect(run.outcome.ok).toBe(true);
      expect(l.local.config.requests.map((r) => r.operation)).toContain('DescribeConfigurationAggregators');
      expect(deniedLabCalls(l)).toEqual([]);
      expect(deniedLabCalls(l, rolePolicy(l, [MAIN]))).toEqual([{ action: 'config:DescribeConfigurationAggregators', resource: '*' }]);
    });
  });
});
