import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How the handler is bundled: the one definition that the stack's NodejsFunction (local esbuild, no Docker), the
 * fault suite's bundle and the benchmark's helper bundles all build with, so what is tested is what deploys.
 */
export const FUNCTION_BUNDLE = {
  minify: true,
  sourceMap: false,
  // Node 22 syntax: the same bundle also runs on the nodejs22.x runtime.
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  // Some bundled CommonJS dependencies call require() for Node built-ins; ESM has no require of its own.
  banner: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);",
} as const;

/** FUNCTION_BUNDLE as NodejsFunction's bundling options. */
export const NODEJS_BUNDLING: nodejs.BundlingOptions = {
  forceDockerBundling: false,
  minify: FUNCTION_BUNDLE.minify,
  sourceMap: FUNCTION_BUNDLE.sourceMap,
  target: FUNCTION_BUNDLE.target,
  // Bundle the AWS SDK too: the code tested is the code deployed, whatever SDK the runtime ships.
  externalModules: [],
  format: nodejs.OutputFormat.ESM,
  mainFields: [...FUNCTION_BUNDLE.mainFields],
  banner: FUNCTION_BUNDLE.banner,
};

/** The esbuild options NodejsFunction derives from its bundling options (esbuild's BuildOptions, structurally). */
export interface EsbuildOptions {
  readonly bundle: true;
  readonly platform: 'node';
  readonly format: 'esm';
  readonly target: string;
  readonly minify: boolean;
  readonly sourcemap: boolean;
  readonly mainFields: string[];
  readonly banner: { js: string };
}

/** FUNCTION_BUNDLE as esbuild's own build options (what NodejsFunction passes to the esbuild it runs). */
export const ESBUILD_OPTIONS: EsbuildOptions = {
  bundle: true,
  platform: 'node',
  format: FUNCTION_BUNDLE.format,
  target: FUNCTION_BUNDLE.target,
  minify: FUNCTION_BUNDLE.minify,
  sourcemap: FUNCTION_BUNDLE.sourceMap,
  mainFields: [...FUNCTION_BUNDLE.mainFields],
  banner: { js: FUNCTION_BUNDLE.banner },
};
