/** The context of cdk.json (feature flags included), so that tests synthesize what `cdk synth` synthesizes. */
import { readFileSync } from 'node:fs';

export const CDK_JSON_CONTEXT: Readonly<Record<string, unknown>> = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
).context;
