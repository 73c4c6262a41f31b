/**
 * What a worker's DynamoDB request on the wire is, by the items it writes (adapters/store/table-schema.ts keys):
 * the kill points inside a step pick their request with these (KillPoint.matches).
 */
import type { FaultRequest } from '../../../tools/local/fake-server';

type WireItem = Record<string, { S?: string }>;
/** A request as a fault hook or the record sees it. */
type Request = Pick<FaultRequest, 'operation' | 'input'>;

/** The items (or keys) a write request carries: BatchWriteItem's puts and deletes, PutItem's item, UpdateItem's key. */
export function wireItems(r: Request): WireItem[] {
  const input = r.input as { RequestItems?: Record<string, { PutRequest?: { Item: WireItem }; DeleteRequest?: { Key: WireItem } }[]>; Item?: WireItem; Key?: WireItem };
  if (r.operation === 'BatchWriteItem') return Object.values(input.RequestItems ?? {}).flat().map((w) => w.PutRequest?.Item ?? w.DeleteRequest?.Key ?? {});
  if (r.operation === 'PutItem') return input.Item ? [input.Item] : [];
  if (r.operation === 'UpdateItem' || r.operation === 'DeleteItem') return input.Key ? [input.Key] : [];
  return [];
}

const WRITES = new Set(['BatchWriteItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems']);
const pkStarts = (prefix: string) => (r: Request) => wireItems(r).some((i) => (i.pk?.S ?? '').startsWith(prefix));

export const isWrite = (r: Request): boolean => WRITES.has(r.operation);
/** A read round's checkpoint: the cursor's conditional advance (RUN#<runAt> / CUR#<aggregator>). */
export const isCursorAdvance = (r: Request): boolean =>
  r.operation === 'PutItem' && wireItems(r).some((i) => (i.pk?.S ?? '').startsWith('RUN#') && (i.sk?.S ?? '').startsWith('CUR#'));
/** A chunk's staged pages (STG#...). */
export const isStage = pkStarts('STG#');
/** A unit's journal (JNL#...). */
export const isJournal = pkStarts('JNL#');
/** History entries (SRC#...). */
export const isHistoryBatch = (r: Request): boolean => r.operation === 'BatchWriteItem' && pkStarts('SRC#')(r);
/** Current states (CUR#<aggregator>#...). */
export const isStateBatch = (r: Request): boolean => r.operation === 'BatchWriteItem' && pkStarts('CUR#')(r);
