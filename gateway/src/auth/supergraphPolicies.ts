import {
  Kind,
  parse,
  type ConstArgumentNode,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DocumentNode,
} from 'graphql';

/** Access requirement of a field or type, read from the supergraph's security directives. */
export interface AccessRequirement {
  /** `@authenticated`: a signed-in user. */
  authenticated: boolean;
  /**
   * Every `@requiresScopes` that applies, each a list of alternatives. The caller must satisfy
   * each entry by holding all scopes of at least one of its alternatives.
   */
  scopes: string[][][];
}

/** The security policies of one supergraph, by `Type` and `Type.field`. */
export interface SupergraphPolicies {
  requirements: Map<string, AccessRequirement>;
  /** Types and `Type.field` coordinates tagged `@tag(name: "internal")`, hidden from partners. */
  internal: Set<string>;
}

/** The tag that hides a field or type from partners. */
export const INTERNAL_TAG = 'internal';

const SPEC_NAMES = {
  authenticated: 'https://specs.apollo.dev/authenticated/',
  requiresScopes: 'https://specs.apollo.dev/requiresScopes/',
  tag: 'https://specs.apollo.dev/tag/',
} as const;

function argument(node: ConstDirectiveNode, name: string): ConstArgumentNode | undefined {
  return node.arguments?.find((arg) => arg.name.value === name);
}

function stringOf(value: ConstValueNode | undefined): string | undefined {
  return value?.kind === Kind.STRING ? value.value : undefined;
}

/**
 * Returns the names the supergraph uses for the security directives. A supergraph may rename a
 * spec's directive with `@link(url: …, as: "name")`; without `as` it keeps the spec's name.
 */
function directiveNames(document: DocumentNode): Record<keyof typeof SPEC_NAMES, string> {
  const names = { authenticated: 'authenticated', requiresScopes: 'requiresScopes', tag: 'tag' };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) {
      continue;
    }
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const url = stringOf(argument(directive, 'url')?.value);
      const alias = stringOf(argument(directive, 'as')?.value);
      if (!url || !alias) continue;
      for (const [spec, prefix] of Object.entries(SPEC_NAMES)) {
        if (url.startsWith(prefix)) names[spec as keyof typeof SPEC_NAMES] = alias;
      }
    }
  }
  return names;
}

/** Reads `scopes: [["a", "b"], ["c"]]` into a list of alternatives. */
function scopesOf(directive: ConstDirectiveNode): string[][] {
  const value = argument(directive, 'scopes')?.value;
  if (value?.kind !== Kind.LIST) return [];
  return value.values.map((alternative) =>
    alternative.kind === Kind.LIST
      ? alternative.values.map((scope) => stringOf(scope)).filter((s): s is string => !!s)
      : [],
  );
}

/**
 * Reads the security policies from a supergraph SDL: `@authenticated` and `@requiresScopes` on
 * types and fields, and the fields and types tagged `internal`.
 */
export function readSupergraphPolicies(supergraphSdl: string): SupergraphPolicies {
  const document = parse(supergraphSdl);
  const names = directiveNames(document);
  const requirements = new Map<string, AccessRequirement>();
  const internal = new Set<string>();

  const record = (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined) => {
    const requirement: AccessRequirement = { authenticated: false, scopes: [] };
    for (const directive of directives ?? []) {
      const name = directive.name.value;
      if (name === names.authenticated) requirement.authenticated = true;
      if (name === names.requiresScopes) requirement.scopes.push(scopesOf(directive));
      if (name === names.tag && stringOf(argument(directive, 'name')?.value) === INTERNAL_TAG) {
        internal.add(coordinate);
      }
    }
    if (requirement.authenticated || requirement.scopes.length > 0) {
      requirements.set(coordinate, requirement);
    }
  };

  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION: {
        const typeName = definition.name.value;
        record(typeName, definition.directives);
        for (const field of definition.fields ?? []) {
          record(`${typeName}.${field.name.value}`, field.directives);
        }
        break;
      }
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.UNION_TYPE_DEFINITION:
        record(definition.name.value, definition.directives);
        break;
      default:
        break;
    }
  }
  return { requirements, internal };
}
