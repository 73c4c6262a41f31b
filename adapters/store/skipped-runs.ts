/**
 * The dispatcher's one write: a skipped tick, in the RUNS partition next to the run summaries (read back by
 * HistoryStore.runRecords). On its own, so the dispatcher's bundle holds one PutItem and not the history store.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SkippedRun } from '../../core/model';
import { skippedRunItem } from './items';

export class SkippedRunWriter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly options: { readonly tableName: string; readonly historyRetentionDays: number },
  ) {}

  /** Overwrites: a re-delivered tick that is skipped again records the same tick once, as of its latest look. */
  async put(skipped: SkippedRun): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.options.tableName, Item: skippedRunItem(skipped, this.options.historyRetentionDays) }),
    );
  }
}
