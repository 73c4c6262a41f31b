/**
 * The calls a run made, as IAM evaluates them: each recorded request's action on the resources the Service
 * Authorization Reference says it is authorized against ("*" for an action without resource type, whatever the
 * simulator recorded), plus the KMS calls that publishing to an encrypted topic makes on the caller's behalf.
 */
import type { RecordedRequest } from '../../tools/local/fake-server';
import { isAllowed, requestResources, type Environment, type PolicyStatement } from './iam';

export interface Call {
  readonly action: string;
  readonly resource: string;
}

export function callsOf(requests: readonly RecordedRequest[], env: Environment, options: { topicKeyArn?: string } = {}): Call[] {
  const calls = requests.flatMap((r) => {
    const action = `${r.service}:${r.operation}`;
    return requestResources(action, r.resources, env).map((resource) => ({ action, resource }));
  });
  // SNS encrypts a message published to a topic with server-side encryption using the publisher's permissions for
  // the topic's key (Amazon SNS Developer Guide, Key management).
  if (options.topicKeyArn && requests.some((r) => r.service === 'sns' && r.operation === 'Publish')) {
    calls.push({ action: 'kms:GenerateDataKey', resource: options.topicKeyArn }, { action: 'kms:Decrypt', resource: options.topicKeyArn });
  }
  return [...new Map(calls.map((c) => [`${c.action} ${c.resource}`, c])).values()];
}

/** The calls an identity policy does not allow (made over TLS, as the SDK makes them). */
export function deniedCalls(statements: readonly PolicyStatement[], calls: readonly Call[]): Call[] {
  return calls.filter((c) => !isAllowed(statements, { ...c, context: { 'aws:SecureTransport': 'true' } }));
}
