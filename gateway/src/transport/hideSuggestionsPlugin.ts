import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

// graphql-js ends some messages with hints such as `Did you mean "x"?`, `Did you mean the enum
// value "X"?` or `Did you mean to use an inline fragment on "T"?`.
const suggestion = /\s*Did you mean [^?]*\?/g;

/**
 * Removes every "Did you mean" hint from error messages. graphql-armor's blockFieldSuggestion
 * (3.x) only matches hints that start with a quoted name, so misspelled enum values would
 * still list the real ones. This plugin covers the other forms too. With introspection off,
 * such hints would let a client map the schema one guess at a time.
 */
export function hideSuggestionsPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            error.message = error.message.replace(suggestion, '');
          }
        },
      };
    },
  };
}
