import { describe, expect, it } from 'vitest';
import { sourceKey } from '../../core/model';
import { dedupe } from '../../core/reconcile';
import { observed } from '../support/builders';
import { KEY } from './reconcile-fixtures';

describe('dedupe', () => {
  it('keeps the last source read per key and counts the duplicates', () => {
    // Prepare
    const first = observed({ status: 'FAILED', errorCode: 'FIRST' });
    const other = observed({ region: 'eu-west-1' });
    const last = observed({ status: 'FAILED', errorCode: 'LAST' });
    const again = observed({ status: 'OUTDATED' });

    // Act
    const { sources, duplicates } = dedupe([first, other, last, again, observed({ status: 'FAILED', errorCode: 'FINAL' })]);

    // Assess
    expect(duplicates).toBe(3);
    expect(sources).toStrictEqual([observed({ status: 'FAILED', errorCode: 'FINAL' }), other]);
    expect(sources.map(sourceKey)).toStrictEqual([KEY, 'ACCOUNT#111111111111#eu-west-1']);
  });

  it('counts no duplicates among distinct sources, telling sources apart by type, id and region', () => {
    // Prepare
    const list = [
      observed(),
      observed({ sourceType: 'ORGANIZATION' }),
      observed({ sourceId: '222222222222' }),
      observed({ region: 'eu-west-1' }),
    ];

    // Act
    const { sources, duplicates } = dedupe(list);

    // Assess
    expect(duplicates).toBe(0);
    expect(sources).toStrictEqual(list);
  });
});
