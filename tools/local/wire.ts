/**
 * The HTTP side the local AWS endpoints share: a service's error and the answer on the wire, reading a request's
 * body and sending an answer, the error code of an answer, the SigV4 credential scope of a request.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A service error: encoded by each service in its own protocol. */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

export const newRequestId = (): string => randomUUID();

export function asServiceError(e: unknown): ServiceError {
  if (e instanceof ServiceError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ServiceError('InternalFailure', `The local fake failed: ${message}`, 500);
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(res: ServerResponse, answer: RawResponse): void {
  if (res.destroyed || res.headersSent) return;
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
  res.end(body);
}

/** A JSON answer altered by a transform fault; checksums of the original body no longer apply. */
export function transformJson(raw: RawResponse, transform: (output: unknown) => unknown): RawResponse {
  const output = transform(JSON.parse(raw.body.toString() || '{}') as unknown);
  const headers = Object.fromEntries(
    Object.entries(raw.headers).filter(([k]) => !['content-length', 'x-amz-crc32'].includes(k.toLowerCase())),
  );
  return { status: raw.status, headers, body: JSON.stringify(output) };
}

/** The error code of an answer's body: JSON `__type` (namespace stripped) or Query XML `<Code>`. */
export function errorCodeOf(body: string): string | undefined {
  const json = /"__type"\s*:\s*"(?:[^"#]*#)?([^"]+)"/.exec(body);
  if (json) return json[1];
  return /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The SigV4 credential scope of a request: region and signing service, or undefined when unsigned. */
export function credentialScope(req: IncomingMessage): { region: string; service: string } | undefined {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  return m ? { region: m[1] ?? '', service: m[2] ?? '' } : undefined;
}

/** A JSON protocol's request body: a JSON object, or the SerializationException AWS answers otherwise. */
export function jsonObjectBody(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new ServiceError('SerializationException', 'Request body is not a JSON object');
}
