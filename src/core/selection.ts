import {
  type DirectiveNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getDirectiveValues,
  getNamedType,
  type GraphQLCompositeType,
  GraphQLIncludeDirective,
  type GraphQLResolveInfo,
  GraphQLSkipDirective,
  type InlineFragmentNode,
  isAbstractType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';

function included(node: { readonly directives?: readonly DirectiveNode[] }, variables: GraphQLResolveInfo['variableValues']): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

/** The fields named `name` a selection set asks of an object of type `type`, as graphql-js collects them. */
function collect(set: SelectionSetNode, type: GraphQLCompositeType, name: string, info: GraphQLResolveInfo, out: FieldNode[], spread: Set<string>): void {
  for (const selection of set.selections) {
    if (!included(selection, info.variableValues)) continue;
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name) out.push(selection);
      continue;
    }
    let fragment: InlineFragmentNode | FragmentDefinitionNode | undefined;
    if (selection.kind === Kind.INLINE_FRAGMENT) fragment = selection;
    else if (!spread.has(selection.name.value)) {
      spread.add(selection.name.value);
      fragment = info.fragments[selection.name.value];
    }
    if (!fragment) continue;
    const condition = fragment.typeCondition ? info.schema.getType(fragment.typeCondition.name.value) : type;
    const applies = condition === type || (!!condition && isAbstractType(condition) && isObjectType(type) && info.schema.isSubType(condition, type));
    if (applies) collect(fragment.selectionSet, type, name, info, out, spread);
  }
}

/**
 * Whether the operation will resolve `path` below the current field (`['edges', 'node',
 * 'idNumber']` below `children`), looking through aliases, fragments and `@skip`/`@include`
 * exactly as execution does. Lets a resolver fetch or record only what will be sent.
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  let type = getNamedType(info.returnType);
  let sets = info.fieldNodes.map((node) => node.selectionSet).filter((set): set is SelectionSetNode => !!set);
  for (const name of path) {
    if (!isObjectType(type)) return false;
    const fields: FieldNode[] = [];
    for (const set of sets) collect(set, type, name, info, fields, new Set());
    if (fields.length === 0) return false;
    const field = type.getFields()[name];
    if (!field) return false;
    type = getNamedType(field.type);
    sets = fields.map((f) => f.selectionSet).filter((set): set is SelectionSetNode => !!set);
  }
  return true;
}
