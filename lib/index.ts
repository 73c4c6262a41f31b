/**
 * The package's public API (`import { ConfigAggregatorMonitor } from 'config-aggregator-watch'`): the construct,
 * its props and alarms, the statuses, and what a user's own code needs to read the table (its keys, indexes and
 * item types). Everything else is internal: the package's `exports` map lets nothing else be imported.
 * Changes here follow SemVer (docs/package.md).
 */
export {
  ConfigAggregatorMonitor,
  MAX_HISTORY_RETENTION_DAYS,
  SourceStatus,
  type ChatChannels,
  type ConfigAggregatorMonitorProps,
  type MonitorAlarms,
  type ReportBucketOptions,
  type SlackChannel,
  type TeamsChannel,
} from './config-aggregator-monitor';
export {
  ALERTABLE_STATUSES,
  HISTORY_EVENTS,
  KNOWN_STATUSES,
  sourceKey,
  type AggregatorMeta,
  type AlertableStatus,
  type HistoryEntry,
  type HistoryEvent,
  type KnownStatus,
  type MonitorError,
  type ObservedSource,
  type RunError,
  type RunSummary,
  type SourceState,
} from '../core/model';
export { ALL_SHARDS, ATTR, INDEX, REMOVED, SHARDS, keys, shardOf } from '../adapters/store/table-schema';
