import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { checkAccess } from '../src/auth/accessCheck';
import { buildPartnerSchema } from '../src/auth/partnerContract';
import { readSupergraphPolicies } from '../src/auth/supergraphPolicies';

// The Heartfelt supergraph has no interfaces or unions yet, so abstract types are checked here
// on a small schema of the same shape: the security directives as the supergraph carries them.
const sdl = `
  directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | INPUT_OBJECT

  type Query {
    node(id: ID!): Node
    search: [SearchResult!]!
    audit: AuditLog @tag(name: "internal")
  }
  interface Node { id: ID! }
  type Template implements Node { id: ID! title: String! }
  type Ledger implements Node @requiresScopes(scopes: [["finance:read"]]) {
    id: ID!
    balance: Int!
  }
  type Card implements Node { id: ID! message: String! @authenticated }
  union SearchResult = Template | Card
  type AuditLog @tag(name: "internal") { entries: [String!]! }
`;

const schema = buildSchema(sdl);
const policies = readSupergraphPolicies(sdl);

function check(query: string, identity: { userId: string | null; scopes?: string[] }) {
  const document = parse(query);
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === 'OperationDefinition',
  )!;
  return checkAccess(schema, document, operation, policies, identity)?.extensions.code ?? null;
}

const anonymous = { userId: null };
const user = { userId: 'usr_a' };

describe('checkAccess', () => {
  it('requires every implementation’s requirement on an interface field', () => {
    // Ledger needs a scope, and `node` may return a Ledger.
    expect(check('{ node(id: "1") { id } }', user)).toBe('FORBIDDEN');
    expect(check('{ node(id: "1") { id } }', { userId: 'usr_a', scopes: ['finance:read'] })).toBe(
      null,
    );
  });

  it('sees a protected field behind an inline fragment on a union member', () => {
    expect(check('{ search { ... on Card { message } } }', anonymous)).toBe('UNAUTHENTICATED');
    expect(check('{ search { ... on Card { message } } }', user)).toBe(null);
    expect(check('{ search { ... on Template { title } } }', anonymous)).toBe(null);
  });

  it('sees a protected field in a fragment spread through another fragment', () => {
    const query = `
      query { search { ...Outer } }
      fragment Outer on SearchResult { ...Inner }
      fragment Inner on Card { message }
    `;
    expect(check(query, anonymous)).toBe('UNAUTHENTICATED');
  });

  it('checks only the fragments the selected operation uses', () => {
    const query = `
      query Open { search { ... on Template { title } } }
      fragment Unused on Card { message }
    `;
    expect(check(query, anonymous)).toBe(null);
  });
});

describe('buildPartnerSchema', () => {
  it('drops internal fields and the types only they reach', () => {
    const partner = buildPartnerSchema(schema, policies.internal);
    expect(partner.getQueryType()?.getFields().audit).toBeUndefined();
    expect(partner.getType('AuditLog')).toBeUndefined();
    expect(partner.getQueryType()?.getFields().node).toBeDefined();
    expect(partner.getType('Ledger')).toBeDefined();
  });
});
