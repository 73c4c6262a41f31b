import { AggwatchError } from '../../core/errors';

/** Items (or keys) DynamoDB kept returning unprocessed: the run fails rather than report success without them. */
export class UnwrittenItemsError extends AggwatchError {
  override readonly name = 'UnwrittenItemsError';
  readonly code = 'UnprocessedItems';
}
