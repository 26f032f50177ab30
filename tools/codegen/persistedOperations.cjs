// GraphQL Code Generator plugin that writes the safelist manifest: every operation of the
// documents, with the fragments it spreads, in Apollo's persisted query manifest format. The id
// of an operation is the SHA-256 of its body, as automatic persisted queries compute it.
const { createHash } = require('node:crypto');
const { Kind, print, visit } = require('graphql');

function fragmentsUsedBy(definition, fragments) {
  const used = new Map();
  const pending = [definition];
  while (pending.length > 0) {
    visit(pending.pop(), {
      FragmentSpread(node) {
        const fragment = fragments.get(node.name.value);
        if (fragment && !used.has(node.name.value)) {
          used.set(node.name.value, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return [...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value));
}

module.exports = {
  plugin(_schema, documents) {
    const definitions = documents.flatMap((source) => source.document.definitions);
    const fragments = new Map(
      definitions
        .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
        .map((definition) => [definition.name.value, definition]),
    );
    const operations = definitions
      .filter((definition) => definition.kind === Kind.OPERATION_DEFINITION)
      .map((definition) => {
        if (!definition.name) throw new Error('Every persisted operation needs a name.');
        const body = [definition, ...fragmentsUsedBy(definition, fragments)]
          .map((node) => print(node))
          .join('\n\n');
        return {
          id: createHash('sha256').update(body).digest('hex'),
          name: definition.name.value,
          type: definition.operation,
          body,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    const manifest = { format: 'apollo-persisted-query-manifest', version: 1, operations };
    return `${JSON.stringify(manifest, null, 2)}\n`;
  },
};
