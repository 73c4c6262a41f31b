/** ConfigReader.readChunk: one chunk of a read that spans invocations (lambda/steps/read-round.ts). */
import {
  ConfigServiceClient,
  DescribeConfigurationAggregatorSourcesStatusCommand,
  InvalidNextTokenException,
  NoSuchConfigurationAggregatorException,
  type DescribeConfigurationAggregatorSourcesStatusCommandInput,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AggregatorMissingError, ConfigReader, ConfigRequestError } from '../../adapters/config-reader';
import { expected, page } from './config-fixtures';

const SOURCES = DescribeConfigurationAggregatorSourcesStatusCommand;
const PAGES = 25;

describe('ConfigReader.readChunk', () => {
  const configMock = mockClient(ConfigServiceClient);
  const reader = new ConfigReader(new ConfigServiceClient({ region: 'us-east-1' }));
  const tokensSent = () => configMock.commandCalls(SOURCES).map((c) => c.args[0].input.NextToken);

  beforeEach(() => {
    configMock.reset();
    configMock.on(SOURCES).callsFake((input: DescribeConfigurationAggregatorSourcesStatusCommandInput) => {
      const n = input.NextToken === undefined ? 0 : Number(input.NextToken.slice('page-'.length));
      return page([n * 2, n * 2 + 1], n + 1 < PAGES ? `page-${n + 1}` : undefined);
    });
  });

  it('reads maxPages pages from the token given and returns the token to continue with', async () => {
    // Act
    const first = await reader.readChunk('org', { token: null, maxPages: 10, statuses: ['FAILED'] });
    const second = await reader.readChunk('org', { token: first.kind === 'chunk' ? first.token : null, maxPages: 10 });
    // Assert
    expect(first).toMatchObject({ kind: 'chunk', pages: 10, calls: 10, token: 'page-10' });
    expect(first.kind === 'chunk' && first.sources.slice(0, 2)).toEqual([expected(0), expected(1)]);
    expect(second).toMatchObject({ kind: 'chunk', pages: 10, token: 'page-20' });
    expect(tokensSent().slice(9, 11)).toEqual(['page-9', 'page-10']);
    expect(configMock.commandCalls(SOURCES)[0]!.args[0].input).toMatchObject({ ConfigurationAggregatorName: 'org', UpdateStatus: ['FAILED'], Limit: 100 });
  });

  it('ends with token null at the last page, before maxPages', async () => {
    // Act
    const last = await reader.readChunk('org', { token: 'page-20', maxPages: 10 });
    // Assert
    expect(last).toMatchObject({ kind: 'chunk', pages: 5, token: null });
  });

  it('stops early when told to before a page (never before the first)', async () => {
    // Arrange
    let asked = 0;
    // Act
    const chunk = await reader.readChunk('org', { maxPages: 10, stop: () => ++asked > 2 });
    // Assert
    expect(chunk).toMatchObject({ kind: 'chunk', pages: 3, token: 'page-3' });
    expect(asked).toBe(3);
  });

  it('says the token expired when Config refuses it, then, once restarted, fails naming it', async () => {
    // Arrange
    configMock.on(SOURCES, { NextToken: 'page-10' }).rejects(new InvalidNextTokenException({ message: 'The nextToken provided is invalid', $metadata: {} }));
    // Act
    const expired = await reader.readChunk('org', { token: 'page-10', maxPages: 10 });
    const again = reader.readChunk('org', { token: 'page-10', maxPages: 10, restarted: true });
    // Assert
    expect(expired).toEqual({ kind: 'expired', calls: 1 });
    await expect(again).rejects.toThrow(ConfigRequestError);
    await expect(again).rejects.toThrow(/NextToken="page-10".*again after restarting/);
  });

  it('gives the aggregator-missing error', async () => {
    // Arrange
    configMock.on(SOURCES).rejects(new NoSuchConfigurationAggregatorException({ message: 'no such aggregator', $metadata: {} }));
    // Act
    const read = reader.readChunk('gone', { maxPages: 10 });
    // Assert
    await expect(read).rejects.toThrow(AggregatorMissingError);
  });
});
