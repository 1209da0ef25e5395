import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  type ArgumentNode,
  type FragmentDefinitionNode,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  type GraphQLCompositeType,
  GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config';
import { MAX_PAGE_SIZE } from '../core/connection';
import { RequestContext } from '../core/context';
import { AppError, OperationTimeoutError, QueryTooComplexError } from '../core/errors';

export type QueryLimits = Config['queryLimits'];

/**
 * Expected length of object lists that take no `first`/`last`/`records` argument. Compulsory
 * education lasts nine years, so ten dropout cases for one child is already extreme, and so are
 * twenty persuasion visits or ten expert-panel assessments (each with a few evidence items); a
 * change touches at most the dozen fields of one record. Other lists count as DEFAULT_LIST_SIZE
 * (the province has under a hundred counties, so `regions` is one of them).
 */
export const LIST_SIZES: Readonly<Record<string, number>> = {
  'Child.dropoutCases': 10,
  'Child.persuasionVisits': 20,
  'Child.assessments': 10,
  'Assessment.evidence': 10,
  'Child.homeTeaching': 3,
  // A weekly visit through a school year, with room to spare.
  'HomeTeaching.visits': 50,
  'Child.enrollmentNotices': 3,
  'ChangeLogEntry.changes': 20,
  // Writes with a `records` batch count their payload by the batch; the others (a transition, a
  // visit, an assessment) answer the few children they touched.
  'WritePayload.children': 10,
  // Summaries are keyed by enumerations: a dozen reasons or statuses, thirty entity × change kinds.
  'NoticeSummary.byEntityAndOperation': 30,
  'NoticeSummary.newDropoutCases': 12,
  'NoticeSummary.closuresByReason': 12,
  'WeeklyCounts.byStatus': 7,
  'WeeklyCounts.openByReason': 12,
  // The supervision page's reporting rates: at most 26 weeks a county.
  'CountyReporting.weeks': 26,
  // The supervisors' weekly series: at most 26 weeks a county (src/ledger/supervision-history.ts).
  'CountyHistory.weeks': 26,
  // One series per county: the province has 84 (seeds/fujian-regions.json), so a province's 26 weeks fit the budget.
  'Query.countyProgressHistory': 84,
  // A statistics cell holds one value per measure asked for: there are twenty-six measures.
  'StatCell.values': 26,
  // A series holds one value per month end: at most 24.
  'StatSeriesCell.values': 24,
  // 核实比对: a rule compares at most a dozen fields; a discrepancy moves through a handful of states; ten rules per child.
  'Discrepancy.facts': 12,
  'Discrepancy.history': 10,
  'Child.discrepancies': 10,
  // 督导: four checked fields per sampled case; a child is rarely sampled or acted on more than a few times.
  'SpotCheckItem.reported': 4,
  'SpotCheckItem.findings': 4,
  'SpotCheckAssignment.fields': 4,
  'Child.spotChecks': 5,
  'Child.supervisionActions': 10,
};
export const DEFAULT_LIST_SIZE = 100;
/**
 * A write's `records` given as a variable is charged as this many records. Charging the full
 * batch (1,000) refused a one-record write that selected its payload's cases; the batch itself is
 * limited by the write (1,000 records) and by the variable limits, and a write's payload can only
 * name children of its own batch.
 */
export const RECORDS_VARIABLE = 10;
/** Input values of this schema nest three deep (`records[0].field`); ten is for any future input. */
const MAX_VALUE_DEPTH = 10;

/** Two budgets: the data, and introspection, which may be as big as the explorer's own query. */
interface Budget {
  data: number;
  introspection: number;
}
interface Tally {
  depth: Budget;
  cost: Budget;
  aliases: number;
  directives: number;
}
export interface Measure extends Tally {
  rootFields: number;
  variables: number;
}

const zero = (): Tally => ({ depth: { data: 0, introspection: 0 }, cost: { data: 0, introspection: 0 }, aliases: 0, directives: 0 });

/** A level of nesting: every path through it is one deeper, and the current budget's path is at least one deep. */
function deeper(depth: Budget, own: keyof Budget): Budget {
  const step = (key: keyof Budget) => (key === own || depth[key] > 0 ? depth[key] + 1 : 0);
  return { data: step('data'), introspection: step('introspection') };
}

function add(into: Tally, sub: Tally, times = 1): void {
  into.depth.data = Math.max(into.depth.data, sub.depth.data);
  into.depth.introspection = Math.max(into.depth.introspection, sub.depth.introspection);
  into.cost.data += sub.cost.data * times;
  into.cost.introspection += sub.cost.introspection * times;
  into.aliases += sub.aliases;
  into.directives += sub.directives;
}

/** The size an argument asks for; a single value where a list is expected is a list of one. */
function sizeArgument(node: ArgumentNode | undefined, whenVariable: number): number | null {
  if (!node) return null;
  if (node.value.kind === Kind.VARIABLE) return whenVariable;
  if (node.value.kind === Kind.INT) return Number(node.value.value);
  if (node.value.kind === Kind.LIST) return node.value.values.length;
  return 1;
}

/**
 * How many times a field's selection is produced. `first`/`last` is the page size (a variable may
 * be up to MAX_PAGE_SIZE; an absent one takes the schema's default); `records` is the write batch
 * (a variable is charged as RECORDS_VARIABLE records: see there). Lists right under such a field are that page, so they count once.
 */
function multiplier(parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>, args: readonly ArgumentNode[], bounded: boolean): { times: number; bounds: boolean } {
  const given = (name: string) => args.find((a) => a.name.value === name);
  for (const name of ['first', 'last', 'records']) {
    const definition = field.args.find((a) => a.name === name);
    if (!definition) continue;
    const fallback = typeof definition.defaultValue === 'number' ? definition.defaultValue : MAX_PAGE_SIZE;
    const size = sizeArgument(given(name), name === 'records' ? RECORDS_VARIABLE : MAX_PAGE_SIZE) ?? fallback;
    return { times: Math.max(1, size), bounds: !isListType(getNullableType(field.type)) };
  }
  if (!isListType(getNullableType(field.type))) return { times: 1, bounds: false };
  return { times: bounded ? 1 : (LIST_SIZES[`${parent.name}.${field.name}`] ?? DEFAULT_LIST_SIZE), bounds: false };
}

function fieldOf(schema: GraphQLSchema, parent: GraphQLCompositeType | null, name: string): GraphQLField<unknown, unknown> | null {
  if (!parent) return null;
  if (parent === schema.getQueryType() && name === '__schema') return SchemaMetaFieldDef;
  if (parent === schema.getQueryType() && name === '__type') return TypeMetaFieldDef;
  return isObjectType(parent) || isInterfaceType(parent) ? (parent.getFields()[name] ?? null) : null;
}

/** Walks one operation once, following fragments (each measured once per context, so a fragment bomb stays cheap; a cycle counts nothing). */
function measureOperation(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: (name: string) => FragmentDefinitionNode | undefined): Measure {
  const memo = new Map<string, Tally>();
  const visiting = new Set<string>();

  function walk(set: SelectionSetNode, parent: GraphQLCompositeType | null, introspection: boolean, bounded: boolean): Tally {
    const own: keyof Budget = introspection ? 'introspection' : 'data';
    const tally = zero();
    for (const selection of set.selections) {
      tally.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const inside = introspection || name === '__schema' || name === '__type';
        const budget: keyof Budget = inside ? 'introspection' : 'data';
        const field = fieldOf(schema, parent, name);
        const { times, bounds } = field && parent ? multiplier(parent, field, selection.arguments ?? [], bounded) : { times: 1, bounds: false };
        const childType = field ? namedComposite(field) : null;
        const sub = selection.selectionSet ? walk(selection.selectionSet, childType, inside, bounds) : zero();
        tally.aliases += selection.alias ? 1 : 0;
        tally.cost[budget] += 1;
        add(tally, { ...sub, depth: deeper(sub.depth, budget) }, times);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        const sub = walk(selection.selectionSet, typed && isCompositeType(typed) ? typed : null, introspection, bounded);
        add(tally, { ...sub, depth: deeper(sub.depth, own) });
      } else {
        const sub = spread(selection.name.value, introspection, bounded);
        add(tally, { ...sub, depth: deeper(sub.depth, own) });
      }
    }
    return tally;
  }

  function spread(name: string, introspection: boolean, bounded: boolean): Tally {
    const key = `${name}|${introspection}|${bounded}`;
    const known = memo.get(key);
    if (known) return known;
    const fragment = fragments(name);
    if (!fragment || visiting.has(name)) return zero();
    visiting.add(name);
    const typed = schema.getType(fragment.typeCondition.name.value);
    const tally = walk(fragment.selectionSet, typed && isCompositeType(typed) ? typed : null, introspection, bounded);
    tally.directives += fragment.directives?.length ?? 0;
    visiting.delete(name);
    memo.set(key, tally);
    return tally;
  }

  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  const tally = walk(operation.selectionSet, root ?? null, false, false);
  tally.directives += operation.directives?.length ?? 0;
  return { ...tally, rootFields: countRootFields(operation.selectionSet, fragments, new Map()), variables: operation.variableDefinitions?.length ?? 0 };
}

function namedComposite(field: GraphQLField<unknown, unknown>): GraphQLCompositeType | null {
  const type = getNamedType(field.type);
  return isCompositeType(type) ? type : null;
}

/** Root fields, fragments expanded; each fragment counted once and remembered (a cycle counts nothing). */
function countRootFields(set: SelectionSetNode, fragments: (name: string) => FragmentDefinitionNode | undefined, memo: Map<string, number>): number {
  let count = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) count += selection.name.value === '__typename' ? 0 : 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += countRootFields(selection.selectionSet, fragments, memo);
    else {
      const name = selection.name.value;
      if (!memo.has(name)) {
        memo.set(name, 0);
        const fragment = fragments(name);
        memo.set(name, fragment ? countRootFields(fragment.selectionSet, fragments, memo) : 0);
      }
      count += memo.get(name)!;
    }
  }
  return count;
}

const measured = new WeakMap<OperationDefinitionNode, Measure>();

/** The numbers the limits look at, measured once per operation and shared by the rules. */
export function measure(context: ValidationContext, operation: OperationDefinitionNode): Measure {
  let result = measured.get(operation);
  if (!result) {
    result = measureOperation(context.getSchema(), operation, (name) => context.getFragment(name) ?? undefined);
    measured.set(operation, result);
  }
  return result;
}

const allowances = new WeakMap<GraphQLSchema, { depth: number; cost: number }>();

/**
 * What introspection may cost: the depth, and twice the cost, of graphql-js's full introspection
 * query (all options on) on this schema, so the explorer works while a query that recurses
 * through `fields { type { fields … } }` does not.
 */
export function introspectionAllowance(schema: GraphQLSchema): { depth: number; cost: number } {
  let allowance = allowances.get(schema);
  if (!allowance) {
    const document = parse(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true }));
    const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const standard = measureOperation(schema, operation, (name) => fragments.get(name));
    allowance = { depth: standard.depth.introspection, cost: standard.cost.introspection * 2 };
    allowances.set(schema, allowance);
  }
  return allowance;
}

const shown = (value: number) => (Number.isFinite(value) ? String(Math.round(value)) : '∞');

function limitRule(check: (m: Measure, context: ValidationContext) => QueryTooComplexError | null): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const error = check(measure(context, node), context);
      if (error) context.reportError(error);
    },
  });
}

function over(limit: string, value: number, max: number, chinese: string, english: string): QueryTooComplexError | null {
  if (value <= max) return null;
  return new QueryTooComplexError(`${chinese} ${shown(value)} 超过上限 ${max} (${english} ${shown(value)} exceeds the limit of ${max})`, { limit, value: Number.isFinite(value) ? value : Number.MAX_SAFE_INTEGER, max });
}

export const depthLimit = (max: number) =>
  limitRule((m, context) => {
    const allowed = Math.max(max, introspectionAllowance(context.getSchema()).depth);
    return over('depth', m.depth.data, max, '查询深度', 'depth') ?? over('introspectionDepth', m.depth.introspection, allowed, '内省查询深度', 'introspection depth');
  });
export const costLimit = (max: number) =>
  limitRule((m, context) => {
    const allowed = Math.max(max, introspectionAllowance(context.getSchema()).cost);
    return over('cost', m.cost.data, max, '估算代价', 'estimated cost') ?? over('introspectionCost', m.cost.introspection, allowed, '内省查询估算代价', 'introspection estimated cost');
  });
export const aliasLimit = (max: number) => limitRule((m) => over('aliases', m.aliases, max, '别名数', 'number of aliases'));
export const directiveLimit = (max: number) => limitRule((m) => over('directives', m.directives, max, '指令数', 'number of directives'));
export const rootFieldLimit = (max: number) => limitRule((m) => over('rootFields', m.rootFields, max, '根字段数', 'number of root fields'));
export const variableLimit = (max: number) => limitRule((m) => over('variables', m.variables, max, '变量数', 'number of variables'));

/** The validation rules for Apollo's `validationRules`; they run beside graphql-js's own rules. */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  return [
    depthLimit(limits.maxDepth),
    aliasLimit(limits.maxAliases),
    directiveLimit(limits.maxDirectives),
    rootFieldLimit(limits.maxRootFields),
    costLimit(limits.maxCost),
    variableLimit(limits.maxVariables),
  ];
}

/** Refuses variable values with more variables, longer lists or bigger objects than the limits allow, or nested too deep. */
export function checkVariableValues(variables: Record<string, unknown> | undefined, limits: QueryLimits): void {
  if (!variables) return;
  const names = Object.keys(variables);
  const tooMany = over('variables', names.length, limits.maxVariables, '变量数', 'number of variables');
  if (tooMany) throw tooMany;
  for (const name of names) {
    const stack: Array<[unknown, number]> = [[variables[name], 1]];
    while (stack.length > 0) {
      const [value, depth] = stack.pop()!;
      if (value === null || typeof value !== 'object') continue;
      if (depth > MAX_VALUE_DEPTH) {
        throw new QueryTooComplexError(`变量 $${name} 嵌套超过 ${MAX_VALUE_DEPTH} 层 (variable $${name} nests deeper than ${MAX_VALUE_DEPTH} levels)`, { limit: 'variableDepth', max: MAX_VALUE_DEPTH });
      }
      const items = Array.isArray(value) ? value : Object.values(value);
      if (items.length > limits.maxListItems) {
        throw new QueryTooComplexError(`变量 $${name} 中的列表或对象有 ${items.length} 项，上限 ${limits.maxListItems} 项 (a list or object in variable $${name} has ${items.length} items, the limit is ${limits.maxListItems})`, { limit: 'listItems', value: items.length, max: limits.maxListItems });
      }
      for (const item of items) if (item !== null && typeof item === 'object') stack.push([item, depth + 1]);
    }
  }
}

// graphql-js 16 spells it "more that"; accept the corrected spelling too.
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] (\d+) tokens\. Parsing aborted\.$/;
const SUGGESTION = / ?Did you mean [^?]*\?/g;

/**
 * The AppError behind an error Apollo wrapped: a limit reported by a validation rule (Apollo
 * re-codes those GRAPHQL_VALIDATION_FAILED), or graphql-js's `maxTokens` parse error, told as a limit.
 */
export function safetyErrorOf(error: unknown): AppError | null {
  if (!(error instanceof GraphQLError)) return null;
  if (error.originalError instanceof AppError) return error.originalError;
  const tokens = TOKEN_LIMIT.exec(error.message);
  if (tokens) {
    const max = Number(tokens[1]);
    return new QueryTooComplexError(`词法单元超过 ${max} 个 (the document has more than ${max} tokens)`, { limit: 'tokens', max });
  }
  return null;
}

/**
 * Variable limits (values are known only once the operation is resolved), the per-request timeout,
 * and no "Did you mean" in any error when suggestions are hidden: Apollo's own switch strips them
 * from validation errors only, not from variable coercion ("Value "X" does not exist in … enum").
 */
export function querySafetyPlugin(limits: QueryLimits, options: { hideSuggestions: boolean }): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      const deadline = Date.now() + limits.timeoutMs;
      let timedOut: OperationTimeoutError | null = null;
      return {
        async didResolveOperation({ request }) {
          checkVariableValues(request.variables, limits);
        },
        async executionDidStart({ operation, contextValue }) {
          // A write that has started is finished and answered: cutting its payload off after the
          // commit would tell the client it failed. Queries stop at the deadline, checked where
          // data is read (RequestContext.reader), which costs no wrapper around every resolver.
          if (operation?.operation !== 'query' || !(contextValue instanceof RequestContext)) return;
          contextValue.setDeadline(deadline, () => (timedOut ??= new OperationTimeoutError(limits.timeoutMs)));
        },
        async didEncounterErrors({ errors }) {
          if (!options.hideSuggestions) return;
          for (const error of errors) if (error.message.includes('Did you mean')) (error as { message: string }).message = error.message.replace(SUGGESTION, '');
        },
        async willSendResponse({ response }) {
          // Every field that had not started reports the timeout: one error says it.
          if (!timedOut || response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          const first = errors?.findIndex((e) => e.extensions?.code === 'TIMEOUT') ?? -1;
          if (errors && first >= 0) response.body.singleResult.errors = errors.filter((e, i) => i === first || e.extensions?.code !== 'TIMEOUT');
        },
      };
    },
  };
}
