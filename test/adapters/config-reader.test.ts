import {
  ConfigServiceClient,
  DescribeConfigurationAggregatorSourcesStatusCommand,
  DescribeConfigurationAggregatorsCommand,
  InvalidLimitException,
  InvalidNextTokenException,
  InvalidParameterValueException,
  NoSuchConfigurationAggregatorException,
  type DescribeConfigurationAggregatorSourcesStatusCommandInput,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AggregatorMissingError, ConfigReader, ConfigRequestError, PAGE_LIMIT } from '../../adapters/config-reader';
import { expected, page } from './config-fixtures';

const SOURCES = DescribeConfigurationAggregatorSourcesStatusCommand;

const exception = <T>(Type: new (opts: { message: string; $metadata: object }) => T, message: string): T =>
  new Type({ message, $metadata: {} });

describe('ConfigReader', () => {
  const configMock = mockClient(ConfigServiceClient);
  const reader = new ConfigReader(new ConfigServiceClient({ region: 'us-east-1' }));
  const inputs = () => configMock.commandCalls(SOURCES).map((c) => c.args[0].input);
  const tokensSent = () => inputs().map((i) => i.NextToken);

  beforeEach(() => {
    configMock.reset();
  });

  describe('readSources', () => {
    it('reads 250 pages (25,000 sources) to the last one, with Limit 100, the aggregator and UpdateStatus on every call', async () => {
      // Prepare
      const PAGES = 250;
      configMock.on(SOURCES).callsFake((input: DescribeConfigurationAggregatorSourcesStatusCommandInput) => {
        const n = input.NextToken === undefined ? 0 : Number(input.NextToken.slice('page-'.length));
        const ids = Array.from({ length: 100 }, (_, i) => n * 100 + i);
        return page(ids, n + 1 < PAGES ? `page-${n + 1}` : undefined);
      });

      // Act
      const result = await reader.readSources('org', { statuses: ['FAILED', 'OUTDATED'] });

      // Assess
      expect(result.pages).toBe(250);
      expect(result.calls).toBe(250);
      expect(result.restarts).toBe(0);
      expect(result.sources).toHaveLength(25_000);
      expect(new Set(result.sources.map((s) => s.sourceId)).size).toBe(25_000);
      expect(result.sources[0]).toStrictEqual(expected(0));
      expect(result.sources[24_999]).toStrictEqual(expected(24_999));
      expect(configMock).toHaveReceivedCommandTimes(SOURCES, 250);
      expect(inputs()).toStrictEqual(
        Array.from({ length: PAGES }, (_, n) => ({
          ConfigurationAggregatorName: 'org',
          UpdateStatus: ['FAILED', 'OUTDATED'],
          Limit: 100,
          NextToken: n === 0 ? undefined : `page-${n}`,
        })),
      );
      expect(PAGE_LIMIT).toBe(100);
    });

    it('sends no UpdateStatus when no statuses are asked for', async () => {
      // Prepare
      configMock.on(SOURCES).resolves(page([1]));

      // Act
      const result = await reader.readSources('org-agg');

      // Assess
      expect(result).toStrictEqual({ sources: [expected(1)], pages: 1, calls: 1, restarts: 0 });
      expect(inputs()).toStrictEqual([{ ConfigurationAggregatorName: 'org-agg', Limit: 100, NextToken: undefined }]);
    });

    it('ends the read at an empty-string NextToken', async () => {
      // Prepare
      configMock.on(SOURCES).resolvesOnce(page([1, 2], 'second')).resolvesOnce(page([3], '')).resolves(page([99]));

      // Act
      const result = await reader.readSources('org');

      // Assess
      expect(result).toStrictEqual({ sources: [expected(1), expected(2), expected(3)], pages: 2, calls: 2, restarts: 0 });
      expect(tokensSent()).toStrictEqual([undefined, 'second']);
    });

    it('reads an empty aggregator as one page with no sources', async () => {
      // Prepare
      configMock.on(SOURCES).resolves({ $metadata: {} });

      // Act
      const result = await reader.readSources('org');

      // Assess
      expect(result).toStrictEqual({ sources: [], pages: 1, calls: 1, restarts: 0 });
    });

    it('restarts once from the first page on InvalidNextTokenException and keeps only the second pass', async () => {
      // Prepare
      configMock
        .on(SOURCES)
        .resolvesOnce(page([1, 2], 'a-2'))
        .resolvesOnce(page([3, 4], 'a-3'))
        .rejectsOnce(exception(InvalidNextTokenException, 'The nextToken provided is invalid'))
        .resolvesOnce(page([10, 11], 'b-2'))
        .resolvesOnce(page([12]));

      // Act
      const result = await reader.readSources('org', { statuses: ['FAILED'] });

      // Assess
      expect(result).toStrictEqual({
        sources: [expected(10), expected(11), expected(12)],
        pages: 2,
        calls: 5,
        restarts: 1,
      });
      expect(tokensSent()).toStrictEqual([undefined, 'a-2', 'a-3', undefined, 'b-2']);
      expect(inputs().every((i) => i.Limit === 100 && i.ConfigurationAggregatorName === 'org')).toBe(true);
    });

    it('fails with ConfigRequestError naming NextToken and its value on a second InvalidNextTokenException', async () => {
      // Prepare
      configMock
        .on(SOURCES)
        .resolvesOnce(page([1], 'a-2'))
        .rejectsOnce(exception(InvalidNextTokenException, 'The nextToken provided is invalid'))
        .resolvesOnce(page([1], 'b-2'))
        .resolvesOnce(page([2], 'b-3'))
        .rejectsOnce(exception(InvalidNextTokenException, 'The nextToken provided is invalid'))
        .resolves(page([3]));

      // Act
      const error = await reader.readSources('org').catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ConfigRequestError);
      expect(error).toMatchObject({
        name: 'ConfigRequestError',
        code: 'InvalidNextTokenException',
        parameter: 'NextToken',
        value: 'b-3',
        message:
          'Config rejected NextToken="b-3": InvalidNextTokenException: The nextToken provided is invalid ' +
          '(again after restarting from the first page)',
      });
      expect(tokensSent()).toStrictEqual([undefined, 'a-2', undefined, 'b-2', 'b-3']);
    });

    it('explains InvalidLimitException as ConfigRequestError naming Limit=100', async () => {
      // Prepare
      const cause = exception(InvalidLimitException, 'Limit must be at most 100');
      configMock.on(SOURCES).rejects(cause);

      // Act
      const error = await reader.readSources('org').catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ConfigRequestError);
      expect(error).toMatchObject({
        code: 'InvalidLimitException',
        parameter: 'Limit',
        value: 100,
        message: 'Config rejected Limit=100: InvalidLimitException: Limit must be at most 100',
      });
      expect((error as Error).cause).toBe(cause);
      expect(configMock).toHaveReceivedCommandTimes(SOURCES, 1);
    });

    it('explains InvalidParameterValueException as ConfigRequestError naming the request sent', async () => {
      // Prepare
      const cause = exception(InvalidParameterValueException, 'One or more parameters are invalid');
      configMock.on(SOURCES).resolvesOnce(page([1], 'p-2')).rejects(cause);

      // Act
      const error = await reader.readSources('org', { statuses: ['FAILED', 'OUTDATED'] }).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ConfigRequestError);
      expect(error).toMatchObject({
        code: 'InvalidParameterValueException',
        parameter: 'request',
        value: { ConfigurationAggregatorName: 'org', UpdateStatus: ['FAILED', 'OUTDATED'], Limit: 100 },
        message:
          'Config rejected request={"ConfigurationAggregatorName":"org","UpdateStatus":["FAILED","OUTDATED"],"Limit":100}: ' +
          'InvalidParameterValueException: One or more parameters are invalid',
      });
      expect((error as Error).cause).toBe(cause);
    });

    it('explains NoSuchConfigurationAggregatorException as AggregatorMissingError with the aggregator and code', async () => {
      // Prepare
      const cause = exception(NoSuchConfigurationAggregatorException, 'The configuration aggregator does not exist');
      configMock.on(SOURCES).rejects(cause);

      // Act
      const error = await reader.readSources('gone-agg').catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(AggregatorMissingError);
      expect(error).toMatchObject({
        name: 'AggregatorMissingError',
        aggregator: 'gone-agg',
        code: 'NoSuchConfigurationAggregatorException',
        message: 'Configuration aggregator "gone-agg" does not exist in this account and region',
      });
      expect((error as Error).cause).toBe(cause);
      expect(configMock).toHaveReceivedCommandTimes(SOURCES, 1);
    });

    it('propagates any other error unchanged, without restarting', async () => {
      // Prepare
      const boom = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      configMock.on(SOURCES).resolvesOnce(page([1], 'p-2')).rejects(boom);

      // Act
      const error = await reader.readSources('org').catch((e: unknown) => e);

      // Assess
      expect(error).toBe(boom);
      expect(configMock).toHaveReceivedCommandTimes(SOURCES, 2);
    });
  });

  describe('listAggregators', () => {
    it('lists every aggregator over several pages, with Limit 100, skipping nameless entries', async () => {
      // Prepare
      configMock
        .on(DescribeConfigurationAggregatorsCommand)
        .resolvesOnce({
          ConfigurationAggregators: [{ ConfigurationAggregatorName: 'a' }, { ConfigurationAggregatorName: 'b' }],
          NextToken: 't-2',
        })
        .resolvesOnce({ ConfigurationAggregators: [{}, { ConfigurationAggregatorName: 'c' }], NextToken: 't-3' })
        .resolvesOnce({ ConfigurationAggregators: [{ ConfigurationAggregatorName: 'd' }], NextToken: '' })
        .resolves({ ConfigurationAggregators: [{ ConfigurationAggregatorName: 'never' }] });

      // Act
      const names = await reader.listAggregators();

      // Assess
      expect(names).toStrictEqual(['a', 'b', 'c', 'd']);
      expect(configMock.commandCalls(DescribeConfigurationAggregatorsCommand).map((c) => c.args[0].input)).toStrictEqual([
        { NextToken: undefined, Limit: 100 },
        { NextToken: 't-2', Limit: 100 },
        { NextToken: 't-3', Limit: 100 },
      ]);
    });

    it('returns an empty list when the account has no aggregator', async () => {
      // Prepare
      configMock.on(DescribeConfigurationAggregatorsCommand).resolves({});

      // Act
      const names = await reader.listAggregators();

      // Assess
      expect(names).toStrictEqual([]);
      expect(configMock).toHaveReceivedCommandTimes(DescribeConfigurationAggregatorsCommand, 1);
    });
  });
});
