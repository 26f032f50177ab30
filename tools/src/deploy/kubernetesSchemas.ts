import fs from 'node:fs';
import path from 'node:path';

/**
 * Converts the Kubernetes OpenAPI v2 document (`api/openapi-spec/swagger.json` of the
 * k8s.io/kubernetes module) into one JSON schema per kind, in the layout that kubeconform reads
 * with `-schema-location '<dir>/{{ .ResourceKind }}{{ .KindSuffix }}.json'`. The conversion
 * follows kubeconform's openapi2jsonschema script:
 *
 * - IntOrString fields accept a string or an integer, and Quantity fields a string or a number,
 *   because the OpenAPI document types both as strings but manifests write `port: 4000` and
 *   `cpu: 1`.
 * - Every object that lists its properties rejects other properties, as `kubectl apply
 *   --validate=strict` does, so a misspelt field is an error.
 * - Each file contains the definitions its kind reaches, so it validates on its own.
 */

type Schema = { [keyword: string]: unknown };

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

const DEFINITIONS_PREFIX = '#/definitions/';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** Returns the file name kubeconform derives from a kind and its apiVersion. */
export function schemaFileName({ group, version, kind }: GroupVersionKind): string {
  const groupPart = group === '' ? '' : `-${group.split('.')[0]!.toLowerCase()}`;
  return `${kind.toLowerCase()}${groupPart}-${version.toLowerCase()}.json`;
}

/** Rewrites one schema node (recursively) into its strict JSON-schema form. */
function convertNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convertNode);
  if (typeof node !== 'object' || node === null) return node;

  const schema = node as Schema;
  if (schema.format === 'int-or-string')
    return { oneOf: [{ type: 'string' }, { type: 'integer' }] };

  const converted: Schema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    // Descriptions make up most of the document's size and play no part in validation.
    if (keyword === 'description') continue;
    converted[keyword] = keyword === 'properties' ? convertProperties(value) : convertNode(value);
  }
  if (converted.properties !== undefined && converted.additionalProperties === undefined) {
    converted.additionalProperties = false;
  }
  return converted;
}

function convertProperties(properties: unknown): Schema {
  const converted: Schema = {};
  for (const [name, value] of Object.entries(properties as Schema)) {
    converted[name] = convertNode(value);
  }
  return converted;
}

function convertDefinition(name: string, definition: Schema): unknown {
  if (name === INT_OR_STRING) return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  if (name === QUANTITY) return { oneOf: [{ type: 'string' }, { type: 'number' }] };
  return convertNode(definition);
}

/** Collects the names of the definitions that `root` refers to, directly or through others. */
function reachableDefinitions(root: string, definitions: Record<string, Schema>): Set<string> {
  const reached = new Set<string>();
  const pending = [root];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (reached.has(name)) continue;
    reached.add(name);
    const text = JSON.stringify(definitions[name] ?? {});
    for (const match of text.matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) {
      pending.push(match[1]!);
    }
  }
  return reached;
}

/**
 * Writes a schema file for every kind of the OpenAPI document at `swaggerPath` into `outDir`
 * and returns how many it wrote.
 */
export function writeKubernetesSchemas(swaggerPath: string, outDir: string): number {
  const document = JSON.parse(fs.readFileSync(swaggerPath, 'utf8')) as {
    definitions: Record<string, Schema>;
  };
  const { definitions } = document;
  const converted = new Map<string, unknown>();
  const convertedDefinition = (name: string) => {
    if (!converted.has(name)) converted.set(name, convertDefinition(name, definitions[name]!));
    return converted.get(name);
  };

  fs.mkdirSync(outDir, { recursive: true });
  let written = 0;
  for (const [name, definition] of Object.entries(definitions)) {
    const kinds = definition['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined;
    if (kinds === undefined) continue;

    const included: Schema = {};
    for (const reached of reachableDefinitions(name, definitions)) {
      if (reached !== name && definitions[reached] !== undefined) {
        included[reached] = convertedDefinition(reached);
      }
    }
    const schema = {
      $schema: 'http://json-schema.org/draft-04/schema#',
      ...(convertedDefinition(name) as Schema),
      definitions: included,
    };
    // A definition's own `$ref`s point into `definitions`, which now sits in the same file.
    const text = JSON.stringify(schema).replaceAll(
      `"$ref":"${DEFINITIONS_PREFIX}${name}"`,
      '"$ref":"#"',
    );
    for (const kind of kinds) {
      fs.writeFileSync(path.join(outDir, schemaFileName(kind)), text);
      written += 1;
    }
  }
  return written;
}
