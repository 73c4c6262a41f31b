/**
 * The package's declarations: tsc's declaration emit for tsconfig.build.json (lib/index.ts and every file its
 * types reach), with each relative module specifier rewritten to the emitted file's `.js` name.
 *
 * The sources import extensionless (`./monitor/props`, `moduleResolution: bundler`); a user's tsconfig with
 * `moduleResolution: node16` or `nodenext` (what `cdk init` writes) resolves the package's declarations as ESM,
 * where a relative import needs its extension, or the types it names silently become `any`. The rewrite uses the
 * compiler's own resolution of each specifier, so `./monitor` (a folder) becomes `./monitor/index.js`.
 */
import { dirname, relative, sep } from 'node:path';
import ts from 'typescript';
import { BuildError } from './errors';

export function emitDeclarations(tsconfigPath: string, outDir: string): void {
  const config = ts.getParsedCommandLineOfConfigFile(tsconfigPath, { declarationDir: outDir }, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new BuildError(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new BuildError(`cannot read ${tsconfigPath}`);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const result = program.emit(undefined, undefined, undefined, true, {
    afterDeclarations: [withExtensions(program.getCompilerOptions())],
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  if (diagnostics.length > 0 || result.emitSkipped) {
    const host: ts.FormatDiagnosticsHost = {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: ts.sys.getCurrentDirectory,
      getNewLine: () => '\n',
    };
    throw new BuildError(`declarations: ${ts.formatDiagnostics(diagnostics, host)}`);
  }
}

/** Rewrites `from './x'` and `import('./x')` in a declaration file to the resolved file's `.js` specifier. */
function withExtensions(options: ts.CompilerOptions): ts.TransformerFactory<ts.SourceFile | ts.Bundle> {
  return (context) => (root) => {
    if (!ts.isSourceFile(root)) return root;
    const from = root.fileName;
    const rewrite = (specifier: string): string => {
      if (!specifier.startsWith('.')) return specifier;
      const resolved = ts.resolveModuleName(specifier, from, options, ts.sys).resolvedModule?.resolvedFileName;
      if (resolved === undefined) throw new BuildError(`declarations: ${from} imports ${specifier}, which does not resolve`);
      const target = relative(dirname(from), resolved.replace(/\.d\.ts$|\.ts$/, '.js')).split(sep).join('/');
      return target.startsWith('.') ? target : `./${target}`;
    };
    const f = context.factory;
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        return f.updateImportDeclaration(
          node,
          node.modifiers,
          node.importClause,
          f.createStringLiteral(rewrite(node.moduleSpecifier.text)),
          node.attributes,
        );
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        return f.updateExportDeclaration(
          node,
          node.modifiers,
          node.isTypeOnly,
          node.exportClause,
          f.createStringLiteral(rewrite(node.moduleSpecifier.text)),
          node.attributes,
        );
      }
      if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        return f.updateImportTypeNode(
          node,
          f.createLiteralTypeNode(f.createStringLiteral(rewrite(node.argument.literal.text))),
          node.attributes,
          node.qualifier,
          node.typeArguments,
          node.isTypeOf,
        );
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitEachChild(root, visit, context);
  };
}

