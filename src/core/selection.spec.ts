import { buildSchema, execute, type GraphQLResolveInfo, parse } from 'graphql';
import { selectsPath } from './selection';

const schema = buildSchema(`
  interface Node { id: ID! }
  type Child implements Node { id: ID! idNumber: String name: String }
  type Edge { node: Child! }
  type Page { edges: [Edge!]! total: Int }
  type Query { children: Page! }
`);

/** Whether `children` of the operation selects edges.node.idNumber, as the resolver sees it. */
function selects(query: string, variables: Record<string, unknown> = {}): boolean {
  let seen: boolean | null = null;
  const rootValue = {
    children: (_args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => {
      seen = selectsPath(info, ['edges', 'node', 'idNumber']);
      return { edges: [] };
    },
  };
  const result = execute({ schema, document: parse(query), rootValue, variableValues: variables });
  if ('errors' in result && result.errors) throw result.errors[0];
  return seen!;
}

describe('selectsPath', () => {
  it('finds a field directly, under an alias and through fragments', () => {
    expect(selects('{ children { edges { node { idNumber } } } }')).toBe(true);
    expect(selects('{ children { edges { node { n: idNumber } } } }')).toBe(true);
    expect(selects('{ children { ...P } } fragment P on Page { edges { node { ...C } } } fragment C on Child { idNumber }')).toBe(true);
    expect(selects('{ children { edges { node { ... on Node { ... on Child { idNumber } } } } } }')).toBe(true);
  });

  it('does not find a field that is not asked for, or is skipped', () => {
    expect(selects('{ children { edges { node { name } } total } }')).toBe(false);
    expect(selects('query($x: Boolean!) { children { edges { node { idNumber @include(if: $x) } } } }', { x: false })).toBe(false);
    expect(selects('query($x: Boolean!) { children { edges { node { idNumber @include(if: $x) } } } }', { x: true })).toBe(true);
    expect(selects('{ children { edges @skip(if: true) { node { idNumber } } } }')).toBe(false);
    expect(selects('{ children { edges { node { ...C @skip(if: true) name } } } } fragment C on Child { idNumber }')).toBe(false);
  });

  it('merges the field wherever it appears among several selections of the same field', () => {
    expect(selects('{ children { edges { node { name } } edges { node { idNumber } } } }')).toBe(true);
  });
});
