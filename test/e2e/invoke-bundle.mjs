// Invokes a deployable Lambda bundle once, as the Lambda Node.js runtime would, in this (separate) process:
// loads the module the function's Handler setting names from the asset directory, calls the export with the
// event and a context, and writes the outcome as JSON to the result file.
//
//   node invoke-bundle.mjs <asset dir> <Handler setting, e.g. index.handler> <event JSON> <result file> [timeout s]
//
// Exit code: 0 the handler returned, 1 it threw (an invocation error), 2 the bundle could not be loaded.
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [assetDir, handlerSetting, eventJson, resultFile, timeoutSeconds = '900'] = process.argv.slice(2);
if (!assetDir || !handlerSetting || !eventJson || !resultFile) {
  process.stderr.write('usage: invoke-bundle.mjs <asset dir> <module.export> <event JSON> <result file> [timeout s]\n');
  process.exit(2);
}

const dot = handlerSetting.lastIndexOf('.');
const moduleName = handlerSetting.slice(0, dot);
const exportName = handlerSetting.slice(dot + 1);
const write = (outcome) => writeFileSync(resultFile, JSON.stringify(outcome));

// The runtime looks for the handler module with these extensions.
const file = ['.js', '.mjs', '.cjs'].map((ext) => join(assetDir, moduleName + ext)).find((f) => existsSync(f));
let handler;
try {
  if (!file) throw new Error(`no ${moduleName}.js, .mjs or .cjs in ${assetDir}`);
  const mod = await import(pathToFileURL(file).href);
  handler = mod[exportName] ?? mod.default?.[exportName];
  if (typeof handler !== 'function') throw new Error(`${file} does not export a function ${exportName}`);
} catch (e) {
  write({ ok: false, phase: 'init', error: { name: e.name, message: e.message, stack: e.stack } });
  process.exit(2);
}

const deadline = Date.now() + Number(timeoutSeconds) * 1000;
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local';
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  // The account the local endpoints simulate (LOCAL_ACCOUNT_ID), as Lambda's ARN carries the function's own.
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:${process.env.LOCAL_ACCOUNT_ID ?? '000000000000'}:function:${functionName}`,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '512',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};

try {
  const result = await handler(JSON.parse(eventJson), context);
  write({ ok: true, result });
  process.exit(0);
} catch (e) {
  write({ ok: false, phase: 'invoke', error: { name: e?.name, message: e?.message, stack: e?.stack } });
  process.exit(1);
}
