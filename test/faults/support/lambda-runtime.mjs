// A Lambda execution environment for the fault lab, in its own Node.js process: loads the handler bundle once
// (the cold start; an error there is an init error), then runs the invocations it is given one after another, as
// a warm environment does. Each invocation is one JSON line on stdin, {"id", "event", "timeoutSeconds"}; its end
// is marked by a line {"invocationEnd": id, "outcome": {...}} on stdout and {"invocationEnd": id} on stderr, so
// that every log line can be attributed to its invocation.
//
//   node lambda-runtime.mjs <asset dir> <Handler setting, e.g. index.handler>
//
// An init error is reported as {"invocationEnd": null, "outcome": {"ok": false, "phase": "init", ...}}, exit code 2.
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [assetDir, handlerSetting] = process.argv.slice(2);
const dot = handlerSetting.lastIndexOf('.');
const errorOf = (e) => ({ name: e?.name, message: e?.message, stack: e?.stack });
const end = (id, outcome) => {
  process.stderr.write(`${JSON.stringify({ invocationEnd: id })}\n`);
  process.stdout.write(`${JSON.stringify({ invocationEnd: id, outcome })}\n`);
};

let handler;
try {
  // The runtime looks for the handler module with these extensions.
  const file = ['.mjs', '.js', '.cjs'].map((ext) => join(assetDir, handlerSetting.slice(0, dot) + ext)).find((f) => existsSync(f));
  if (!file) throw new Error(`no ${handlerSetting.slice(0, dot)}.mjs, .js or .cjs in ${assetDir}`);
  const mod = await import(pathToFileURL(file).href);
  handler = mod[handlerSetting.slice(dot + 1)];
  if (typeof handler !== 'function') throw new Error(`the bundle exports no function ${handlerSetting.slice(dot + 1)}`);
} catch (e) {
  end(null, { ok: false, phase: 'init', error: errorOf(e) });
  process.exit(2);
}

const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local';
for await (const line of createInterface({ input: process.stdin })) {
  const { id, event, timeoutSeconds } = JSON.parse(line);
  const deadline = Date.now() + timeoutSeconds * 1000;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:${process.env.LOCAL_ACCOUNT_ID ?? '123456789012'}:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '512',
    awsRequestId: id,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let outcome;
  try {
    outcome = { ok: true, result: await handler(event, context) };
  } catch (e) {
    outcome = { ok: false, phase: 'invoke', error: errorOf(e) };
  }
  end(id, outcome);
}
