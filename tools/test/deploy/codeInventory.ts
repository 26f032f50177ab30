import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { findRepoRoot } from '@heartfelt/testkit';

/**
 * What the deployment files must agree with, read from the TypeScript sources: the processes
 * (entry points with their names and default ports), the settings with their defaults, and the
 * HTTP routes every service serves. The deployment tests compare the manifests with this, so a
 * new worker, a renamed setting or a moved health path fails them.
 */

export const repoRoot = findRepoRoot();

export type ProcessKind = 'gateway' | 'subgraph' | 'worker' | 'job';

/** A program the deployment runs: `node <script>`. */
export interface EntryPoint {
  /** Name the process gives itself in logs, and the name of its Deployment and compose service. */
  name: string;
  kind: ProcessKind;
  /** Built script, relative to the repository root, such as `subgraphs/cards/dist/worker.js`. */
  script: string;
  /** The TypeScript source it is built from. */
  source: string;
  /** Default PORT in the code; undefined for one-shot jobs, which serve nothing. */
  defaultPort?: number;
}

/** One definition of a setting in a zod settings shape. */
export interface SettingDefinition {
  name: string;
  /** Source file and line, for messages. */
  where: string;
  /** Source text of the `.default(...)` argument, if any. */
  defaultText?: string;
  /** True when the default is a literal that contains no local address. */
  hasPortableDefault: boolean;
  optional: boolean;
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

function listFiles(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => path.join(folder, file));
}

function relativeToRoot(file: string): string {
  return path.relative(repoRoot, file);
}

/** Finds `createServiceKit('<name>', <port>, ...)` in a source file. */
function findServiceKitCall(file: string): { name: string; port: number } | undefined {
  let found: { name: string; port: number } | undefined;
  walk(parse(file), (node) => {
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'createServiceKit'
    ) {
      const [name, port] = node.arguments;
      if (name && port && ts.isStringLiteral(name) && ts.isNumericLiteral(port)) {
        found = { name: name.text, port: Number(port.text) };
      }
    }
  });
  return found;
}

/** Finds the gateway's `PORT: portSetting(<port>)` in its settings. */
function findGatewayPort(): number {
  const file = path.join(repoRoot, 'gateway', 'src', 'config.ts');
  let port: number | undefined;
  walk(parse(file), (node) => {
    if (
      ts.isPropertyAssignment(node) &&
      node.name.getText() === 'PORT' &&
      ts.isCallExpression(node.initializer) &&
      node.initializer.arguments[0] &&
      ts.isNumericLiteral(node.initializer.arguments[0])
    ) {
      port = Number(node.initializer.arguments[0].text);
    }
  });
  if (port === undefined) throw new Error(`No "PORT: portSetting(<port>)" in ${file}`);
  return port;
}

/**
 * Returns every process the code defines: the gateway, each subgraph's `src/server.ts`, each
 * subgraph's `src/worker.ts`, and the one-shot tools that the deployment runs as jobs.
 */
export function findEntryPoints(): EntryPoint[] {
  const entries: EntryPoint[] = [
    {
      name: 'gateway',
      kind: 'gateway',
      script: 'gateway/dist/server.js',
      source: 'gateway/src/server.ts',
      defaultPort: findGatewayPort(),
    },
  ];
  const subgraphsDir = path.join(repoRoot, 'subgraphs');
  for (const subgraph of fs.readdirSync(subgraphsDir).sort()) {
    for (const [file, kind] of [
      ['server', 'subgraph'],
      ['worker', 'worker'],
    ] as const) {
      const source = path.join(subgraphsDir, subgraph, 'src', `${file}.ts`);
      if (!fs.existsSync(source)) continue;
      const call = findServiceKitCall(source);
      if (call === undefined) {
        throw new Error(
          `${relativeToRoot(source)} does not call createServiceKit('<name>', <port>)`,
        );
      }
      entries.push({
        name: call.name,
        kind,
        script: `subgraphs/${subgraph}/dist/${file}.js`,
        source: relativeToRoot(source),
        defaultPort: call.port,
      });
    }
  }
  entries.push({
    name: 'shard-collections',
    kind: 'job',
    script: 'tools/dist/shardCollections.js',
    source: 'tools/src/shardCollections.ts',
  });
  return entries;
}

/** Returns the text of `.default(<argument>)` in a settings expression, and `.optional()`. */
function describeChain(expression: ts.Expression): { defaultText?: string; optional: boolean } {
  let defaultText: string | undefined;
  let optional = false;
  walk(expression, (node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      if (method === 'default' && node.arguments[0]) defaultText = node.arguments[0].getText();
      if (method === 'optional') optional = true;
    }
    // The settings helpers of the kit take the default as their argument.
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      if (node.expression.text === 'portSetting' && node.arguments[0]) {
        defaultText = node.arguments[0].getText();
      }
    }
  });
  return { defaultText, optional };
}

/** True for a default that is the same wherever the process runs: a literal naming no host. */
function isPortableDefault(text: string | undefined): boolean {
  if (text === undefined) return false;
  const literal = /^(['"`][^'"`]*['"`]|[\d_]+(\s*\*\s*[\d_]+)*|true|false)$/.test(text.trim());
  return literal && !/127\.0\.0\.1|localhost|0\.0\.0\.0/.test(text);
}

/**
 * Returns every setting defined in a zod settings shape of the services, tools and kit. A
 * shape is an object literal with upper-case properties, of which at least one is a zod schema
 * or a kit settings helper (`portSetting`, `urlSetting`, `secretSetting`).
 */
export function findSettingDefinitions(): Map<string, SettingDefinition[]> {
  const folders = [
    path.join(repoRoot, 'packages', 'kit', 'src'),
    path.join(repoRoot, 'gateway', 'src'),
    path.join(repoRoot, 'tools', 'src'),
    ...fs
      .readdirSync(path.join(repoRoot, 'subgraphs'))
      .map((name) => path.join(repoRoot, 'subgraphs', name, 'src')),
  ];
  const settings = new Map<string, SettingDefinition[]>();
  for (const file of folders.flatMap(listFiles)) {
    if (file.includes(`${path.sep}generated${path.sep}`)) continue;
    const source = parse(file);
    walk(source, (node) => {
      if (!ts.isObjectLiteralExpression(node)) return;
      const properties = node.properties.filter(
        (property): property is ts.PropertyAssignment =>
          ts.isPropertyAssignment(property) && /^[A-Z][A-Z0-9_]+$/.test(property.name.getText()),
      );
      // A settings shape: upper-case names, at least one of them a zod schema or kit helper.
      // The others may use a local helper such as `optionalUrl()`.
      const isShape = properties.some((property) =>
        /\bz\s*\.|Setting\(/.test(property.initializer.getText(source)),
      );
      if (!isShape) return;
      for (const property of properties) {
        const name = property.name.getText(source);
        const { defaultText, optional } = describeChain(property.initializer);
        const line = source.getLineAndCharacterOfPosition(property.getStart(source)).line + 1;
        const definition: SettingDefinition = {
          name,
          where: `${relativeToRoot(file)}:${line}`,
          defaultText,
          hasPortableDefault: isPortableDefault(defaultText),
          optional,
        };
        settings.set(name, [...(settings.get(name) ?? []), definition]);
      }
    });
  }
  return settings;
}

/** Returns the fixed routes of the kit's HTTP server, such as `/healthz` and `/readyz`. */
export function findKitRoutes(): string[] {
  const file = path.join(repoRoot, 'packages', 'kit', 'src', 'httpServer.ts');
  const text = fs.readFileSync(file, 'utf8');
  const routes = [...text.matchAll(/route === '(\/[\w-]+)'/g)].map((match) => match[1]!);
  const graphql = /graphqlPath \?\? '(\/[\w-]+)'/.exec(text)?.[1];
  return [...new Set([...routes, ...(graphql ? [graphql] : [])])];
}

/** Returns the kit's default drain time of an HTTP server on shutdown, in milliseconds. */
export function findHttpDrainMs(): number {
  const file = path.join(repoRoot, 'packages', 'kit', 'src', 'httpServer.ts');
  const match = /close\(graceMs = ([\d_]+)\)/.exec(fs.readFileSync(file, 'utf8'));
  if (!match) throw new Error(`No "close(graceMs = <ms>)" in ${file}`);
  return Number(match[1]!.replaceAll('_', ''));
}
