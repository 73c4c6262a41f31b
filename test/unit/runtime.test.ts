import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { FUNCTION_RUNTIME } from '../../lib/config-aggregator-monitor';

describe('the Node.js the tests run on', () => {
  it("is the major of the function's Lambda runtime (the devDependency `node`, put first on PATH by npm)", () => {
    const lambdaMajor = /^nodejs(\d+)\.x$/.exec(FUNCTION_RUNTIME.name)?.[1];
    expect(FUNCTION_RUNTIME.family).toBe(Runtime.NODEJS_LATEST.family);
    expect(process.versions.node.split('.')[0]).toBe(lambdaMajor);
  });
});
