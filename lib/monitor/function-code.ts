/**
 * Where the function's code comes from, in the two places the construct runs:
 * - in this repository, NodejsFunction bundles lambda/handler.ts with esbuild at synth (lib/monitor/bundling.ts);
 * - in the npm package, the same bundle was built at pack time (tools/build, the same ESBUILD_OPTIONS and esbuild)
 *   and ships in dist/function/, next to the bundled construct: it is deployed as it is, with no esbuild or Docker
 *   in the user's app.
 * Both produce the same bytes, so the asset hash (and the deployed code) is the same either way:
 * test/package/pack.test.ts compares them. The construct id, handler, runtime and every other property stay those
 * of lib/monitor/function.ts.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { NODEJS_BUNDLING } from './bundling';

/**
 * Replaced by `true` when tools/build bundles the construct into the package (esbuild `define`); never defined
 * when the construct runs from source, where `typeof` finds it undeclared.
 */
declare const AGGWATCH_PACKAGED: boolean | undefined;

/** The esbuild `define` that marks the package's construct bundle. */
export const PACKAGED_DEFINE = { AGGWATCH_PACKAGED: 'true' } as const;

/** The Handler setting of the bundle: index.mjs, export `handler` (what NodejsFunction derives for ESM). */
export const BUNDLE_HANDLER = 'index.handler';

type CodeProps = Pick<nodejs.NodejsFunctionProps, 'code' | 'handler' | 'entry' | 'projectRoot' | 'depsLockFilePath' | 'bundling'>;

/** The NodejsFunction props that choose the function's code: the pre-built bundle, or bundling from source. */
export function functionCodeProps(): CodeProps {
  return typeof AGGWATCH_PACKAGED !== 'undefined' && AGGWATCH_PACKAGED ? prebuilt() : fromSource();
}

function prebuilt(): CodeProps {
  // In the package this module is part of dist/index.mjs; the bundle is dist/function/index.mjs.
  const dir = fileURLToPath(new URL('./function', import.meta.url));
  if (!existsSync(`${dir}/index.mjs`)) {
    throw new Error(
      `config-aggregator-watch: the function's bundle ${dir}/index.mjs is missing from the installed package; ` +
        'reinstall the package (it is built by `npm pack`, not at install).',
    );
  }
  return { code: lambda.Code.fromAsset(dir), handler: BUNDLE_HANDLER };
}

function fromSource(): CodeProps {
  return {
    entry: fileURLToPath(new URL('../../lambda/handler.ts', import.meta.url)),
    handler: 'handler',
    projectRoot: fileURLToPath(new URL('../..', import.meta.url)),
    depsLockFilePath: fileURLToPath(new URL('../../package-lock.json', import.meta.url)),
    bundling: NODEJS_BUNDLING,
  };
}
