/**
 * The two integration APIs against the local fakes: the SDK clients themselves (they sign with SigV4; the fakes
 * record the credential scope and do not check the signature), and raw calls for requests the SDK never sends.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';

export const authorization = (service: string, region: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261124/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`;

const LOCAL = { credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }, maxAttempts: 1 } as const;

/** The SDK's EventBridge client against a local endpoint (AWS JSON 1.1), without the SDK's own retries. */
export const eventBridgeAt = (endpoint: string, region = 'us-east-1') => new EventBridgeClient({ ...LOCAL, region, endpoint });

/** The SDK's Security Hub client against a local endpoint (REST-JSON), without the SDK's own retries. */
export const securityHubAt = (endpoint: string, region = 'us-east-1') => new SecurityHubClient({ ...LOCAL, region, endpoint });

/** A raw call, for the requests the SDK would never send. */
export async function rawCall(url: string, init: { headers?: Record<string, string>; body: unknown }): Promise<{ status: number; errorType: string | null; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: init.headers ?? {},
    body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
