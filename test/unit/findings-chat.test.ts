import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { renderChatNotification } from '../../core/findings';
import type { SourceState } from '../../core/model';
import type { Digest, SourceNotice } from '../../core/notices';
import { AT, hoursAfter, state } from '../support/builders';

const failedState = (overrides: Partial<SourceState> = {}) =>
  state({ status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', since: hoursAfter(AT, -2), ...overrides });
const notice = (kind: SourceNotice['kind'], s: SourceState, condition = s.status, removed = false): SourceNotice => ({ kind, state: s, condition, removed });
const digest = (sources: SourceNotice[], extra: Partial<Digest> = {}): Digest => ({ aggregator: 'org', at: AT, sources, ...extra });

/** The event schema of the Admin Guide's "Custom notifications" page: what the service requires and accepts. */
const customNotification = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.string().optional(),
  content: z
    .strictObject({
      textType: z.literal('client-markdown').optional(),
      title: z.string().optional(),
      description: z.string().optional(),
      nextSteps: z.array(z.string()).optional(),
      keywords: z.array(z.string()).optional(),
    })
    .optional(),
  metadata: z
    .strictObject({
      threadId: z.string().optional(),
      summary: z.string().optional(),
      eventType: z.string().optional(),
      relatedResources: z.array(z.string()).optional(),
      additionalContext: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

describe('renderChatNotification', () => {
  it('renders the digest in the custom-notification format Amazon Q Developer in chat applications requires', () => {
    // Act
    const chat = renderChatNotification(digest([notice('failure', failedState()), notice('recovery', state({ sourceId: '222222222222' }), 'FAILED')]));

    // Assess
    const body = JSON.parse(chat?.message ?? '') as Record<string, unknown>;
    expect(customNotification.safeParse(body).error?.issues ?? []).toEqual([]);
    expect(body).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: expect.stringContaining('org: 1 new FAILED, 1 recovered') },
      metadata: { threadId: expect.stringMatching(/^config-aggregator-watch-[0-9a-f]{16}$/), eventType: 'ConfigAggregatorSourceDigest' },
    });
    const content = body.content as { description: string; nextSteps: string[]; keywords: string[] };
    expect(content.description).toContain('*New failures: 1*');
    expect(content.description).toContain('`111111111111` `us-east-1` `FAILED` `AUTHORIZATION_NOT_FOUND`');
    expect(content.description).toContain('*Recovered: 1*');
    expect(content.nextSteps.some((s) => s.includes('authorize the aggregator account'))).toBe(true);
    expect(content.nextSteps.at(-1)).toBe('List them: npx aggwatch current --aggregator org --status FAILED');
    expect(content.keywords).toEqual(['aws-config', 'org', 'FAILED']);
    expect(chat?.notices).toHaveLength(2);
  });

  it('says nothing when there is nothing to say', () => {
    // Act
    const chat = renderChatNotification(digest([]));

    // Assess
    expect(chat).toBeUndefined();
  });

  it('stays within its bounds for a digest of thousands of sources, counting what it does not list', () => {
    // Prepare
    const many = Array.from({ length: 5_000 }, (_, i) => notice('failure', failedState({ sourceId: String(100000000000 + i), errorMessage: 'x'.repeat(5_000) })));

    // Act
    const chat = renderChatNotification(digest(many));

    // Assess
    expect(Buffer.byteLength(chat?.message ?? '')).toBeLessThanOrEqual(20_000);
    expect(chat?.notification.content.description.length).toBeLessThanOrEqual(3_000);
    expect(chat?.notification.content.title.length).toBeLessThanOrEqual(250);
    expect(chat?.notification.content.description).toContain('…and 4990 more');
    expect(chat?.notices).toHaveLength(5_000);
  });

  it('keeps free text from Config from mentioning, linking or formatting in the channel', () => {
    // Prepare
    const hostile = failedState({ sourceId: '<!channel> `x`', errorCode: '*bold* <https://evil|click>' });

    // Act
    const chat = renderChatNotification(digest([notice('failure', hostile)], { aggregator: 'org_<!here>' }));

    // Assess
    const { title, description } = chat?.notification.content ?? { title: '', description: '' };
    expect(title).not.toContain('<!here>');
    for (const span of description.match(/`[^`]*`/g) ?? []) expect(span.slice(1, -1)).not.toContain('`');
    expect(description).toContain("`<!channel> 'x'`");
  });

  it('puts the monitor error first, with its hint', () => {
    // Act
    const chat = renderChatNotification(digest([], { monitor: { kind: 'monitor-error', code: 'NoSuchConfigurationAggregatorException', message: 'gone', since: AT, reminder: false } }));

    // Assess
    expect(chat?.notification.content.description).toMatch(/^\*Monitor error:\*/);
    expect(chat?.notification.content.nextSteps[0]).toContain('does not exist');
    expect(chat?.monitor?.code).toBe('NoSuchConfigurationAggregatorException');
  });
});
