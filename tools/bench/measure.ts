/**
 * Counting what the handler does to DynamoDB, from the recording proxy: a hook sees every request as it arrives
 * (its decoded input), tallies write requests and items, and, while capturing, the arrival time of every item
 * written per partition key (the table's `pk`, and the transitions index's `tpk`, which DynamoDB throttles the
 * same way). Inputs are not kept, so a 100,000-source first run does not hold 200,000 items in memory twice.
 */
import type { FaultHook } from '../local/fake-server';
import { DYNAMODB_WRITE_OPERATIONS } from '../local/recording-proxy';

type AttributeValue = { S?: string };
type WireItem = Record<string, AttributeValue | undefined>;
type WireWrite = { PutRequest?: { Item?: WireItem }; DeleteRequest?: { Key?: WireItem } };

export interface WriteCounts {
  /** Write requests (PutItem, BatchWriteItem, UpdateItem, DeleteItem, TransactWriteItems). */
  readonly requests: number;
  /** Items those requests wrote or deleted. */
  readonly items: number;
  readonly byOperation: Readonly<Record<string, number>>;
  /** Items by table partition key prefix (`CUR`, `SRC`, `RUNS`, `AGG`). */
  readonly byKind: Readonly<Record<string, number>>;
}

export interface PeakRate {
  readonly key: string;
  /** The most items written to the key within any 1,000 ms window. */
  readonly perSecond: number;
  /** Items written to the key over the whole capture. */
  readonly total: number;
}

export class WriteTap {
  private requests = 0;
  private items = 0;
  private byOperation: Record<string, number> = {};
  private byKind: Record<string, number> = {};
  private capturing = false;
  private readonly table = new Map<string, number[]>();
  private readonly index = new Map<string, number[]>();
  private firstAt: number | undefined;
  private lastAt: number | undefined;

  readonly hook: FaultHook = (request) => {
    if (!(DYNAMODB_WRITE_OPERATIONS as readonly string[]).includes(request.operation)) return undefined;
    const now = Date.now();
    this.requests++;
    this.byOperation[request.operation] = (this.byOperation[request.operation] ?? 0) + 1;
    this.firstAt ??= now;
    this.lastAt = now;
    for (const item of writtenItems(request.operation, request.input)) {
      this.items++;
      const pk = item.pk?.S ?? '(none)';
      const kind = pk.split('#')[0] ?? pk;
      this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
      if (!this.capturing) continue;
      push(this.table, pk, now);
      const tpk = item.tpk?.S;
      if (tpk !== undefined) push(this.index, tpk, now);
    }
    return undefined;
  };

  /** Starts a new count; `capture` also records per-key arrival times (for the first run's peak rates). */
  reset(capture = false): void {
    this.requests = 0;
    this.items = 0;
    this.byOperation = {};
    this.byKind = {};
    this.capturing = capture;
    this.table.clear();
    this.index.clear();
    this.firstAt = undefined;
    this.lastAt = undefined;
  }

  counts(): WriteCounts {
    return { requests: this.requests, items: this.items, byOperation: { ...this.byOperation }, byKind: { ...this.byKind } };
  }

  /** Epoch ms of the first and last write request seen since the reset. */
  span(): { first?: number; last?: number } {
    return { ...(this.firstAt !== undefined ? { first: this.firstAt } : {}), ...(this.lastAt !== undefined ? { last: this.lastAt } : {}) };
  }

  peakTable(): PeakRate | undefined {
    return peakPerKey(this.table);
  }

  peakIndex(): PeakRate | undefined {
    return peakPerKey(this.index);
  }

  /** Distinct partition keys written while capturing. */
  keys(): { table: number; index: number } {
    return { table: this.table.size, index: this.index.size };
  }
}

function writtenItems(operation: string, input: unknown): WireItem[] {
  const i = (input ?? {}) as { Item?: WireItem; Key?: WireItem; RequestItems?: Record<string, WireWrite[]> };
  switch (operation) {
    case 'PutItem':
      return i.Item ? [i.Item] : [];
    case 'UpdateItem':
    case 'DeleteItem':
      return i.Key ? [i.Key] : [];
    case 'BatchWriteItem':
      return Object.values(i.RequestItems ?? {}).flatMap((writes) =>
        writes.flatMap((w) => {
          const item = w.PutRequest?.Item ?? w.DeleteRequest?.Key;
          return item ? [item] : [];
        }),
      );
    default:
      // TransactWriteItems: not used by the handler; counted as one item per action.
      return (((input as { TransactItems?: unknown[] } | undefined)?.TransactItems ?? []) as unknown[]).map(() => ({}));
  }
}

function push(map: Map<string, number[]>, key: string, t: number): void {
  const list = map.get(key);
  if (list) list.push(t);
  else map.set(key, [t]);
}

/** The key with the most items within any sliding 1,000 ms window (arrival times in ms). */
export function peakPerKey(times: ReadonlyMap<string, readonly number[]>, windowMs = 1_000): PeakRate | undefined {
  let best: PeakRate | undefined;
  for (const [key, list] of times) {
    const sorted = [...list].sort((a, b) => a - b);
    let peak = 0;
    let start = 0;
    for (let end = 0; end < sorted.length; end++) {
      while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
      peak = Math.max(peak, end - start + 1);
    }
    if (!best || peak > best.perSecond) best = { key, perSecond: peak, total: sorted.length };
  }
  return best;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
