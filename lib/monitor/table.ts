import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { ATTR, createTableInput } from '../../adapters/store/table-schema';

/** The table exactly as `createTableInput()` describes it, so the stack and the local mode cannot drift apart. */
export function createMonitorTable(scope: Construct): dynamodb.Table {
  const schema = createTableInput('unused');
  const attribute = (name: string | undefined): dynamodb.Attribute => {
    const type = schema.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
    if (name === undefined || type === undefined) throw new Error(`table-schema: attribute ${name} has no type`);
    return { name, type: ATTRIBUTE_TYPES[type] };
  };
  const keyOf = (keySchema: readonly { AttributeName?: string; KeyType?: string }[] | undefined, type: string) =>
    attribute(keySchema?.find((k) => k.KeyType === type)?.AttributeName);

  const table = new dynamodb.Table(scope, 'Table', {
    partitionKey: keyOf(schema.KeySchema, 'HASH'),
    sortKey: keyOf(schema.KeySchema, 'RANGE'),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: ATTR.expiresAt,
    deletionProtection: true,
    // CT.DYNAMODB.PR.2 requires SSESpecification.SSEEnabled: a KMS key, here DynamoDB's AWS managed one
    // (alias/aws/dynamodb). Enabling it on an existing table is an update without interruption (CloudFormation,
    // AWS::DynamoDB::Table SSESpecification), and readers such as aggwatch need no key grant.
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    // The history is the point of the monitor: it outlives the stack.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const index of schema.LocalSecondaryIndexes ?? []) {
    table.addLocalSecondaryIndex({
      indexName: required(index.IndexName, 'local index name'),
      sortKey: keyOf(index.KeySchema, 'RANGE'),
      projectionType: projection(index.Projection?.ProjectionType),
    });
  }
  for (const index of schema.GlobalSecondaryIndexes ?? []) {
    table.addGlobalSecondaryIndex({
      indexName: required(index.IndexName, 'global index name'),
      partitionKey: keyOf(index.KeySchema, 'HASH'),
      sortKey: keyOf(index.KeySchema, 'RANGE'),
      projectionType: projection(index.Projection?.ProjectionType),
    });
  }
  return table;
}

const ATTRIBUTE_TYPES = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
} as const;

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`table-schema: missing ${what}`);
  return value;
}

function projection(type: string | undefined): dynamodb.ProjectionType {
  switch (type) {
    case 'KEYS_ONLY':
      return dynamodb.ProjectionType.KEYS_ONLY;
    case 'INCLUDE':
      throw new Error('table-schema: INCLUDE projections are not mirrored by the stack');
    default:
      return dynamodb.ProjectionType.ALL;
  }
}
