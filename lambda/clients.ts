/**
 * AWS SDK clients, created once per container and shared by every invocation.
 * Throttling and 5xx are retried by the SDK itself. Config's calls share one adaptive rate budget per process
 * (adapters/config-rate.ts: the SDK's AdaptiveRetryStrategy with our limiter), since Config throttles the account
 * and Region as a whole; the other clients use the SDK's adaptive mode as it comes.
 * Endpoints come from the SDK's own AWS_ENDPOINT_URL_<SERVICE> variables: the local mode needs no code path.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { AdaptiveRateLimiter, configRetry } from '../adapters/config-rate';
import { RETRY } from './sdk-options';

export { RETRY } from './sdk-options';

/**
 * The one Config rate budget of the process: every Config client made here paces through it. The read step seeds it
 * with the rate learned by the previous round or run and reports its state.
 */
export const configRate = new AdaptiveRateLimiter();
export const config = new ConfigServiceClient({ ...RETRY, ...configRetry(configRate) });
export const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient(RETRY), {
  marshallOptions: { removeUndefinedValues: true },
});
export const sns = new SNSClient(RETRY);
export const eventBridge = new EventBridgeClient(RETRY);
/**
 * Only when findings go to Security Hub (securityHubFindings): loaded and created then, as the S3 client below, so
 * that a function without them does not evaluate the Security Hub client's code (about 170 KiB) at its cold start.
 */
export async function securityHub(): Promise<SecurityHubClient> {
  const { SecurityHubClient } = await import('@aws-sdk/client-securityhub');
  return new SecurityHubClient(RETRY);
}
/**
 * Only when the status report is written (REPORT_BUCKET): loaded and created then, so that a function without it
 * does not evaluate the S3 client's code at its cold start (esbuild defers a dynamically imported module's code).
 */
export async function s3(): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client(RETRY);
}
