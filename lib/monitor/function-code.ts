/**
 * Where the functions' code comes from (the worker's and the dispatcher's, BUNDLES), in the two places the construct
 * runs:
 * - in this repository, NodejsFunction bundles the entry (lambda/handler.ts, lambda/dispatcher.ts) with esbuild at
 *   synth (lib/monitor/bundling.ts);
 * - in the npm package, the same bundle was built at pack time (tools/build, the same ESBUILD_OPTIONS and esbuild)
 *   and ships in dist/function/ (dist/dispatcher/), next to the bundled construct: it is deployed as it is, with no
 *   esbuild or Docker in the user's app.
 * Both produce the same bytes, so the asset hash (and the deployed code) is the same either way:
 * test/package/pack.test.ts compares them. The construct id, handler, runtime and every other property stay those
 * of lib/monitor/function.ts (lib/monitor/dispatcher.ts).
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

/** Each function's source entry (from the repository root) and its bundle's directory in dist/. */
export const BUNDLES = {
  function: { entry: 'lambda/handler.ts', dist: 'function' },
  dispatcher: { entry: 'lambda/dispatcher.ts', dist: 'dispatcher' },
} as const;

export type BundleName = keyof typeof BUNDLES;

type CodeProps = Pick<nodejs.NodejsFunctionProps, 'code' | 'handler' | 'entry' | 'projectRoot' | 'depsLockFilePath' | 'bundling'>;

/** The NodejsFunction props that choose a function's code: the pre-built bundle, or bundling from source. */
export function functionCodeProps(bundle: BundleName = 'function'): CodeProps {
  return typeof AGGWATCH_PACKAGED !== 'undefined' && AGGWATCH_PACKAGED ? prebuilt(bundle) : fromSource(bundle);
}

function prebuilt(bundle: BundleName): CodeProps {
  // In the package this module is part of dist/index.mjs; the bundle is dist/<function|dispatcher>/index.mjs.
  const dir = fileURLToPath(new URL(`./${BUNDLES[bundle].dist}`, import.meta.url));
  if (!existsSync(`${dir}/index.mjs`)) {
    throw new Error(
      `config-aggregator-watch: the ${bundle} bundle ${dir}/index.mjs is missing from the installed package; ` +
        'reinstall the package (it is built by `npm pack`, not at install).',
    );
  }
  return { code: lambda.Code.fromAsset(dir), handler: BUNDLE_HANDLER };
}

function fromSource(bundle: BundleName): CodeProps {
  return {
    entry: fileURLToPath(new URL(`../../${BUNDLES[bundle].entry}`, import.meta.url)),
    handler: 'handler',
    projectRoot: fileURLToPath(new URL('../..', import.meta.url)),
    depsLockFilePath: fileURLToPath(new URL('../../package-lock.json', import.meta.url)),
    bundling: NODEJS_BUNDLING,
  };
}
