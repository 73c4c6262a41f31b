/**
 * One shared copy of each repeated string. Every decoded API response carries its own copies of the same few
 * regions, statuses, source types, aggregator names and run times; a full sweep holds one set per source, so at
 * 100,000 sources the copies alone cost tens of MB. An interner lives for one read: its table is freed with it.
 */
export class Interner {
  private readonly known = new Map<string, string>();

  get(value: string): string {
    const shared = this.known.get(value);
    if (shared !== undefined) return shared;
    this.known.set(value, value);
    return value;
  }
}
