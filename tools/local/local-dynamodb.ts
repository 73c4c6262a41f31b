/**
 * A DynamoDB-compatible server in this process (dynalite, in memory), with the monitor's table created from
 * the same definition the stack deploys. Used by the tests, the demo and the benchmark.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient, ScanCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createTableInput } from '../../adapters/store/table-schema';

export interface LocalDynamoDB {
  /** http://127.0.0.1:<port>: give it to the SDK as AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  createTable(tableName: string): Promise<void>;
  /** Every item of a table, counted directly (a test check: the monitor itself never scans). */
  countItems(tableName: string): Promise<number>;
  close(): Promise<void>;
}

/** Static credentials: the SDK signs requests, the local server ignores the signature. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

export async function startLocalDynamoDB(port = 0): Promise<LocalDynamoDB> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint,
    client,
    documentClient,
    async createTable(tableName) {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
      // As against DynamoDB: a table takes requests once ACTIVE. dynalite turns it ACTIVE on a timer, which a
      // loaded machine can run after the first request (ResourceNotFoundException, seen under load).
      await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.25 }, { TableName: tableName });
    },
    async countItems(tableName) {
      let count = 0;
      let start: Record<string, never> | undefined;
      do {
        const out = await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT', ExclusiveStartKey: start }));
        count += out.Count ?? 0;
        start = out.LastEvaluatedKey as Record<string, never> | undefined;
      } while (start);
      return count;
    },
    async close() {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
