/**
 * The benchmark's baseline: paging through DescribeConfigurationAggregatorSourcesStatus and nothing else, with the
 * handler's own Config client (lambda/clients.ts: same retry mode, timeouts and endpoint resolution). Bundled and
 * run exactly like the handler (see bundle.ts and child.ts), so the only difference between the two is the
 * monitor's own work: store, reconciliation, notices.
 */
import { DescribeConfigurationAggregatorSourcesStatusCommand, type AggregatedSourceStatusType } from '@aws-sdk/client-config-service';
import { PAGE_LIMIT } from '../../adapters/config-reader';
import { config } from '../../lambda/clients';

export interface BareLoopResult {
  readonly calls: number;
  readonly sources: number;
}

export async function bareLoop(aggregator: string, statuses?: readonly string[]): Promise<BareLoopResult> {
  let calls = 0;
  let sources = 0;
  let token: string | undefined;
  do {
    calls++;
    const page = await config.send(
      new DescribeConfigurationAggregatorSourcesStatusCommand({
        ConfigurationAggregatorName: aggregator,
        ...(statuses ? { UpdateStatus: [...statuses] as AggregatedSourceStatusType[] } : {}),
        Limit: PAGE_LIMIT,
        NextToken: token,
      }),
    );
    sources += page.AggregatedSourceStatusList?.length ?? 0;
    token = page.NextToken || undefined;
  } while (token);
  return { calls, sources };
}
