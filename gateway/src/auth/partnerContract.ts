import {
  Kind,
  buildASTSchema,
  getNamedType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  parse,
  printSchema,
  type DefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type TypeNode,
} from 'graphql';

function namedTypeOf(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type);
}

/** Returns the names of every type reachable from the schema's root types and directives. */
function reachableTypes(schema: GraphQLSchema): Set<string> {
  const seen = new Set<string>();
  const pending: GraphQLNamedType[] = [];
  const add = (type: GraphQLNamedType | null | undefined) => {
    if (type && !seen.has(type.name)) {
      seen.add(type.name);
      pending.push(type);
    }
  };
  add(schema.getQueryType());
  add(schema.getMutationType());
  add(schema.getSubscriptionType());
  for (const directive of schema.getDirectives()) {
    for (const arg of directive.args) add(getNamedType(arg.type));
  }
  while (pending.length > 0) {
    const type = pending.pop()!;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        add(getNamedType(field.type));
        for (const arg of field.args) add(getNamedType(arg.type));
      }
      for (const implemented of type.getInterfaces()) add(implemented);
      if (isInterfaceType(type))
        for (const possible of schema.getPossibleTypes(type)) add(possible);
    } else if (isUnionType(type)) {
      for (const member of type.getTypes()) add(member);
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) add(getNamedType(field.type));
    }
  }
  return seen;
}

/**
 * Builds the schema partners see: the API schema without the types and fields tagged
 * `internal`, without fields that would return or take a removed type, and without the types
 * no longer reachable from a root. Validating a partner's operation against it makes an
 * internal field fail exactly like a field that does not exist.
 */
export function buildPartnerSchema(apiSchema: GraphQLSchema, internal: Set<string>): GraphQLSchema {
  let definitions: DefinitionNode[] = [...parse(printSchema(apiSchema)).definitions];
  const removedTypes = new Set<string>(
    [...internal].filter((coordinate) => !coordinate.includes('.')),
  );

  // Removing a field can leave a type empty, and removing a type can leave fields pointing at
  // it, so both are pruned until nothing changes.
  for (let changed = true; changed;) {
    changed = false;
    const next: DefinitionNode[] = [];
    for (const definition of definitions) {
      if ('name' in definition && definition.name && removedTypes.has(definition.name.value)) {
        continue;
      }
      if (
        definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
        definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
        definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION
      ) {
        const typeName = definition.name.value;
        const fields = (definition.fields ?? []).filter((field) => {
          if (internal.has(`${typeName}.${field.name.value}`)) return false;
          if (removedTypes.has(namedTypeOf(field.type))) return false;
          const args = 'arguments' in field ? (field.arguments ?? []) : [];
          return !args.some((arg) => removedTypes.has(namedTypeOf(arg.type)));
        });
        if (fields.length !== (definition.fields ?? []).length) changed = true;
        if (fields.length === 0) {
          removedTypes.add(typeName);
          changed = true;
          continue;
        }
        next.push({ ...definition, fields } as DefinitionNode);
        continue;
      }
      next.push(definition);
    }
    definitions = next;
  }

  const pruned = buildASTSchema({ kind: Kind.DOCUMENT, definitions });
  const reachable = reachableTypes(pruned);
  return buildASTSchema({
    kind: Kind.DOCUMENT,
    definitions: definitions.filter(
      (definition) =>
        !('name' in definition) ||
        !definition.name ||
        definition.kind === Kind.DIRECTIVE_DEFINITION ||
        reachable.has(definition.name.value),
    ),
  });
}
