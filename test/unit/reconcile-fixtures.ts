/** The source key, the earlier time and the one-aggregator run the reconcile tests share. */
import { reconcile, type ReconcileInput } from '../../core/reconcile';
import { AT } from '../support/builders';

export const KEY = 'ACCOUNT#111111111111#us-east-1';
export const EARLIER = '2026-11-01T00:00:00.000Z';

export function run(input: Partial<ReconcileInput> & Pick<ReconcileInput, 'observed'>) {
  return reconcile({ aggregator: 'org', at: AT, previous: new Map(), complete: true, ...input });
}
