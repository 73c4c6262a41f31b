/**
 * The two integration APIs on their wire protocols with plain fetch, standing in for @aws-sdk/client-eventbridge
 * and @aws-sdk/client-securityhub (not dependencies yet). Requests carry a SigV4-shaped Authorization header (the
 * fakes record its credential scope and do not check the signature); errors come back as the SDK shapes them:
 * `name` is the error code, `$metadata.httpStatusCode` the status.
 */
import type { PutEvents, PutEventsInput, PutEventsOutput } from '../../adapters/events-publisher';
import type { BatchImportFindings, BatchImportFindingsInput, BatchImportFindingsOutput } from '../../adapters/securityhub-publisher';

export const authorization = (service: string, region: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261124/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`;

export class WireError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly $metadata: { httpStatusCode: number },
  ) {
    super(message);
  }
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (response.ok) return JSON.parse(text) as T;
  const body = (text ? JSON.parse(text) : {}) as { __type?: string; Code?: string; message?: string; Message?: string };
  const code = response.headers.get('x-amzn-errortype')?.split(':')[0] ?? body.__type ?? body.Code ?? `Http${response.status}`;
  throw new WireError(code, body.message ?? body.Message ?? text, { httpStatusCode: response.status });
}

/** PutEvents over AWS JSON 1.1 (timestamps as epoch seconds). */
export function putEventsOverHttp(endpoint: string, region = 'us-east-1'): PutEvents {
  return async (input: PutEventsInput): Promise<PutEventsOutput> => {
    const body = { Entries: input.Entries.map((e) => ({ ...e, ...(e.Time ? { Time: e.Time.getTime() / 1000 } : {}) })) };
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSEvents.PutEvents',
        authorization: authorization('events', region),
      },
      body: JSON.stringify(body),
    });
    return answer<PutEventsOutput>(response);
  };
}

/** BatchImportFindings over REST-JSON. */
export function batchImportOverHttp(endpoint: string, region = 'us-east-1'): BatchImportFindings {
  return async (input: BatchImportFindingsInput): Promise<BatchImportFindingsOutput> => {
    const response = await fetch(`${endpoint}/findings/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: authorization('securityhub', region) },
      body: JSON.stringify(input),
    });
    return answer<BatchImportFindingsOutput>(response);
  };
}

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
