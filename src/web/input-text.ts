import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  type DocumentNode, type FieldNode, getArgumentValues, getVariableValues, type GraphQLField, type GraphQLSchema,
  type OperationDefinitionNode, TypeInfo, visit, visitWithTypeInfo,
} from 'graphql';
import { BadUserInputError, type InputProblem } from '../core/errors';
import { LONE_SURROGATE } from '../core/unicode';

/**
 * Text no department's record can hold: PostgreSQL refuses a NUL in `text` and `jsonb`, and an
 * unpaired UTF-16 surrogate is no character at all (it cannot be written as UTF-8). Before this
 * check each surfaced as an INTERNAL_SERVER_ERROR from whichever statement met it first.
 */
const NUL = /\u0000/;
const PROBLEMS_KEPT = 20;

function textProblem(value: string): string | null {
  if (NUL.test(value)) return '含有空字符 NUL (U+0000)，不是有效文本 (contains a NUL character, U+0000: not valid text)';
  if (LONE_SURROGATE.test(value)) return '含有不成对的代理项，不是有效的 Unicode 文本 (contains an unpaired surrogate: not valid Unicode text)';
  return null;
}

type ArgumentSite = readonly [GraphQLField<unknown, unknown>, FieldNode];

/** What a parsed document holds for the check, worked out once per document (Apollo keeps those). */
interface DocumentSites {
  /** Every field that takes arguments, with its definition. */
  readonly sites: readonly ArgumentSite[];
  /** Whether a string written in the document itself is bad text. */
  readonly badLiteral: boolean;
}

const sitesOf = new WeakMap<DocumentNode, DocumentSites>();

function documentSites(schema: GraphQLSchema, document: DocumentNode): DocumentSites {
  let known = sitesOf.get(document);
  if (known) return known;
  const sites: ArgumentSite[] = [];
  let badLiteral = false;
  const typeInfo = new TypeInfo(schema);
  visit(document, visitWithTypeInfo(typeInfo, {
    Field(node) {
      const def = typeInfo.getFieldDef();
      if (def && node.arguments?.length) sites.push([def, node]);
    },
    StringValue(node) {
      badLiteral ||= textProblem(node.value) !== null;
    },
  }));
  known = { sites, badLiteral };
  sitesOf.set(document, known);
  return known;
}

/** Whether any string in the request's raw variables is bad text (no coercion, no paths: the quick test). */
function holdsBadText(value: unknown): boolean {
  if (typeof value === 'string') return textProblem(value) !== null;
  if (Array.isArray(value)) return value.some(holdsBadText);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsBadText);
  return false;
}

/** Walks a coerced argument value, naming each string it holds as `records[3].schoolName`. */
function walk(value: unknown, path: string, problems: InputProblem[]): void {
  if (problems.length >= PROBLEMS_KEPT) return;
  if (typeof value === 'string') {
    const reason = textProblem(value);
    if (reason) problems.push({ path, reason });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`, problems));
  } else if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    // Input objects as graphql-js coerces them; a scalar's own value (a Date) holds no input text.
    if (proto !== null && proto !== Object.prototype) return;
    for (const [key, item] of Object.entries(value)) walk(item, `${path}.${key}`, problems);
  }
}

/**
 * The one check every string argument passes through, before anything runs (HTTP and WebSocket
 * alike, so both executors answer the same): a NUL or an unpaired surrogate anywhere in an
 * argument, given inline or as a variable, is a problem naming the argument's path. Variables
 * that do not coerce are left to the executor, which reports them as it always has.
 */
export function inputTextProblems(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): InputProblem[] {
  // Every string an argument can hold came from the raw variables or the document (scalars and
  // enums make none with bad text), so a request with none there skips coercing its variables a
  // second time: the executor coerces them too, and a batch of 1,000 records is most of a request.
  const { sites, badLiteral } = documentSites(schema, document);
  if (!badLiteral && !holdsBadText(variables)) return [];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
  if (coerced.errors) return [];
  const problems: InputProblem[] = [];
  for (const [def, node] of sites) {
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(def, node, coerced.coerced);
    } catch {
      continue; // the executor reports it
    }
    for (const [name, value] of Object.entries(args)) walk(value, name, problems);
  }
  return problems;
}

/** Apollo's side of inputTextProblems: once the operation is known, before it executes, BAD_USER_INPUT with HTTP 400. */
export const inputTextPlugin: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ schema, document, operation, request }) {
        const problems = operation ? inputTextProblems(schema, document, operation, request.variables) : [];
        if (problems.length) throw new BadUserInputError(problems, { status: 400 });
      },
    };
  },
};
