import { describe, expect, it } from 'vitest';
import { DIGEST_JSON_SCHEMA, DIGEST_JSON_VERSION, renderDigest, type DigestJson } from '../../core/digest';
import { AT, KEYS, digest, format, monitorError, notice, only } from '../support/digests';

const body = (...args: Parameters<typeof renderDigest>): DigestJson => JSON.parse(format(only(renderDigest(...args)), 'json').message) as DigestJson;

describe('the json format', () => {
  it('is a versioned document with every key present, null when unknown', () => {
    // Prepare
    const failure = notice('failure');
    const stale = notice('failure', { sourceId: '2', status: 'SUCCEEDED', stale: true, errorCode: undefined, errorMessage: undefined, lastUpdateTime: undefined }, { condition: 'STALE' });
    const removed = notice('recovery', { sourceId: '3', removedAt: '2025-03-04T10:00:00.000Z' }, { removed: true });

    // Act
    const json = body(digest([failure, stale, removed], monitorError), KEYS);

    // Assess
    expect(json).toEqual({
      schema: DIGEST_JSON_SCHEMA,
      version: DIGEST_JSON_VERSION,
      aggregator: 'org-agg',
      at: AT,
      part: 1,
      parts: 1,
      counts: { failure: 2, reminder: 0, recovery: 1, 'monitor-error': 1 },
      monitor: {
        kind: 'monitor-error',
        code: 'NoSuchConfigurationAggregatorException',
        message: 'The configuration aggregator does not exist.',
        since: '2025-03-04T09:00:00.000Z',
        reminder: false,
        hint: expect.stringContaining('AGGREGATORS setting') as string,
      },
      // In e-mail order: by error-code group (the one without a code sorts first), then by source.
      notices: [
        {
          kind: 'failure',
          condition: 'STALE',
          removed: false,
          sourceId: '2',
          sourceType: 'ACCOUNT',
          region: 'eu-west-1',
          status: 'SUCCEEDED',
          errorCode: null,
          errorMessage: null,
          lastUpdateTime: null,
          since: '2025-03-04T09:00:00.000Z',
          removedAt: null,
          hint: expect.stringContaining('has not updated for longer than the stale threshold') as string,
        },
        {
          kind: 'failure',
          condition: 'FAILED',
          removed: false,
          sourceId: '111111111111',
          sourceType: 'ACCOUNT',
          region: 'eu-west-1',
          status: 'FAILED',
          errorCode: 'AUTHORIZATION_NOT_FOUND',
          errorMessage: 'The source account has not authorized the aggregator account.',
          lastUpdateTime: '2025-03-04T08:55:00.000Z',
          since: '2025-03-04T09:00:00.000Z',
          removedAt: null,
          hint: expect.stringContaining('put-aggregation-authorization') as string,
        },
        {
          kind: 'recovery',
          condition: 'FAILED',
          removed: true,
          sourceId: '3',
          sourceType: 'ACCOUNT',
          region: 'eu-west-1',
          status: 'FAILED',
          errorCode: 'AUTHORIZATION_NOT_FOUND',
          errorMessage: 'The source account has not authorized the aggregator account.',
          lastUpdateTime: '2025-03-04T08:55:00.000Z',
          since: '2025-03-04T09:00:00.000Z',
          removedAt: '2025-03-04T10:00:00.000Z',
          hint: null,
        },
      ],
      omitted: null,
    });
  });

  it('keeps any text Config sends valid and bounded, including replacement patterns and its own key names', () => {
    // Prepare: "$&" would be a replacement pattern if the body were spliced with a string; '"notices":[]' is its own key.
    const odd = notice('failure', { errorCode: 'X"\\\u0000', errorMessage: `$& $' $\` "notices":[] \ud800 ${'é'.repeat(2_000)}` });

    // Act
    const json = body(digest([odd]), KEYS);

    // Assess
    const [n] = json.notices;
    expect(n?.errorCode).toBe('X"\\');
    expect(n?.errorMessage?.startsWith(`$& $' $\` "notices":[] \ufffd éé`)).toBe(true);
    expect(n?.errorMessage).toHaveLength(600);
  });

  it('tells every part the whole digest and its place in it; the monitor notice rides on part 1', () => {
    // Prepare
    const sources = Array.from({ length: 400 }, (_, i) => notice('failure', { sourceId: String(i).padStart(12, '0'), errorMessage: 'é'.repeat(600) }));

    // Act
    const parts = renderDigest(digest(sources, monitorError), KEYS).map((p) => JSON.parse(format(p, 'json').message) as DigestJson);

    // Assess
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => [p.part, p.parts])).toEqual(parts.map((_, i) => [i + 1, parts.length]));
    expect(parts.map((p) => p.counts.failure)).toEqual(parts.map(() => 400));
    expect(parts.map((p) => p.monitor?.kind ?? null)).toEqual(['monitor-error', ...parts.slice(1).map(() => null)]);
    expect(parts.flatMap((p) => p.notices.map((n) => n.sourceId))).toEqual(sources.map((n) => n.state.sourceId));
  });
});
