import { AggwatchError } from '../../core/errors';

/** Items (or keys) DynamoDB kept returning unprocessed: the run fails rather than report success without them. */
export class UnwrittenItemsError extends AggwatchError {
  override readonly name = 'UnwrittenItemsError';
  readonly code = 'UnprocessedItems';
}

/** A journal head whose parts are not all there: it cannot be applied, and recomputing would skip what it recorded. */
export class IncompleteJournalError extends AggwatchError {
  override readonly name = 'IncompleteJournalError';
  readonly code = 'IncompleteJournal';
}
