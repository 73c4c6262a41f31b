/**
 * The benchmark's baseline: paging through DescribeConfigurationAggregatorSourcesStatus and nothing else, with a
 * Config client built with the worker's options (lambda/sdk-options.ts RETRY: retry mode, timeouts, endpoint
 * resolution) but without the worker's shared rate budget (lambda/clients.ts configRate), whose cold start would
 * slow the floor itself down: the bare loop is what paging costs, nothing else. Bundled and run exactly like the
 * worker (artifacts.ts, child.ts), so the only difference between the two is the monitor's own work: the rate
 * budget, the engine, store, reconciliation, notices.
 */
import { ConfigServiceClient, DescribeConfigurationAggregatorSourcesStatusCommand, type AggregatedSourceStatusType } from '@aws-sdk/client-config-service';
import { PAGE_LIMIT } from '../../adapters/config-reader';
import { RETRY } from '../../lambda/sdk-options';

const config = new ConfigServiceClient(RETRY);

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
