import {
  type ASTNode, GraphQLEnumType, GraphQLError, type GraphQLFormattedError, type GraphQLSchema, Kind, parse, type Source, type ValueNode,
} from 'graphql';

/**
 * graphql-js refuses a value outside an enum in English only, without the input's name when the
 * value is written in the document, and without the allowed values: `Value "KNOWN" does not
 * exist in "Whereabouts" enum.` This rebuilds such an error, whichever executor or validation rule
 * raised it, as BAD_USER_INPUT in Chinese and English that names the input (an argument path such
 * as `filter.specialGroups[1]`, or a variable path such as `$r[0].whereabouts`) and lists the
 * values that are not deprecated, with their labels. It runs in Apollo's formatError, so both
 * executors answer the same.
 */

const NOT_IN_ENUM = /^Value "((?:[^"\\]|\\.)*)" does not exist in "(\w+)" enum\./;
const NOT_ENUM_LITERAL = /^Enum "(\w+)" cannot represent non-enum value: (.*?)\.(?: Did you mean|$)/;
const NOT_STRING = /^Enum "(\w+)" cannot represent non-string value: (.*?)\.$/;
const IN_VARIABLE = /^Variable "\$(\w+)" got invalid value .*?(?: at "(\w+)((?:\[\d+\]|\.\w+)*)")?; (.*)$/s;

interface EnumProblem {
  readonly enumName: string;
  /** The value as the client wrote it, printed. */
  readonly value: string;
}

function enumProblem(message: string): EnumProblem | null {
  let m = NOT_IN_ENUM.exec(message);
  if (m) return { enumName: m[2], value: `"${m[1]}"` };
  m = NOT_ENUM_LITERAL.exec(message);
  if (m) return { enumName: m[1], value: m[2] };
  m = NOT_STRING.exec(message);
  if (m) return { enumName: m[1], value: m[2] };
  return null;
}

/** Each argument value's path (`filter.specialGroups[1]`) by where it starts, made once per document. */
const pathsBySource = new WeakMap<Source, ReadonlyMap<number, string>>();

function argumentPaths(source: Source): ReadonlyMap<number, string> {
  const known = pathsBySource.get(source);
  if (known) return known;
  const paths = new Map<number, string>();
  const inValue = (node: ValueNode, path: string): void => {
    if (node.loc) paths.set(node.loc.start, path);
    if (node.kind === Kind.LIST) node.values.forEach((item, i) => inValue(item, `${path}[${i}]`));
    else if (node.kind === Kind.OBJECT) for (const field of node.fields) inValue(field.value, `${path}.${field.name.value}`);
  };
  const walk = (node: ASTNode): void => {
    if (node.kind === Kind.ARGUMENT) return inValue(node.value, node.name.value);
    for (const value of Object.values(node)) {
      for (const child of Array.isArray(value) ? value : [value]) {
        if (child && typeof child === 'object' && typeof (child as ASTNode).kind === 'string') walk(child as ASTNode);
      }
    }
  };
  try {
    walk(parse(source));
  } catch {
    // A document that does not parse has no validation errors to rebuild.
  }
  pathsBySource.set(source, paths);
  return paths;
}

/** Where the bad value is: a variable path from the message, or the argument path in the document. */
function inputPath(error: GraphQLError, message: string): { path: string; inner: string } | null {
  const variable = IN_VARIABLE.exec(message);
  if (variable) return { path: `$${variable[1]}${variable[3] ?? ''}`, inner: variable[4] };
  const source = error.nodes?.[0]?.loc?.source ?? error.source;
  const position = error.nodes?.[0]?.loc?.start ?? error.positions?.[0];
  if (!source || position === undefined) return null;
  const path = argumentPaths(source).get(position);
  return path ? { path, inner: message } : null;
}

/** The rebuilt error, or null when `error` is not about a value outside an enum. */
export function enumInputError(schema: GraphQLSchema, formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError | null {
  // Only an error that mentions an enum is looked at further (a document can hold hundreds of errors).
  if (!(error instanceof GraphQLError) || !/enum/i.test(formatted.message)) return null;
  const where = inputPath(error, formatted.message);
  const problem = where && enumProblem(where.inner);
  if (!where || !problem) return null;
  const type = schema.getType(problem.enumName);
  if (!(type instanceof GraphQLEnumType)) return null;
  const allowed = type.getValues().filter((v) => !v.deprecationReason);
  const listed = allowed.map((v) => (v.description ? `${v.name} ${v.description}` : v.name)).join('、');
  const reason = `${problem.value} 不是 ${type.name} 的取值，可选：${listed} (${problem.value} is not a ${type.name} value; allowed: ${allowed.map((v) => v.name).join(', ')})`;
  return {
    message: `输入有误 Bad input: ${where.path}: ${reason}`,
    locations: formatted.locations,
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'BAD_USER_INPUT', problems: [{ path: where.path, reason }], allowedValues: allowed.map((v) => v.name) },
  };
}

/** Chinese labels for the refusals graphql-js and Apollo write in English only, by code. */
const LABELS: Readonly<Record<string, string>> = {
  GRAPHQL_PARSE_FAILED: '查询语法错误',
  GRAPHQL_VALIDATION_FAILED: '查询无效 Invalid query:',
  BAD_USER_INPUT: '输入有误 Bad input:',
  BAD_REQUEST: '请求无效 Bad request:',
  OPERATION_RESOLUTION_FAILURE: '无法确定要执行的操作 Cannot resolve the operation:',
  PERSISTED_QUERY_NOT_FOUND: '未找到持久化查询',
  PERSISTED_QUERY_NOT_SUPPORTED: '不支持持久化查询',
};

/**
 * A message of graphql-js or Apollo (English only, naming the field, argument or variable) with a
 * Chinese label for what kind of refusal it is; our own errors are bilingual already and kept.
 */
export function withChineseLabel(message: string, code: string | undefined): string {
  const label = code ? LABELS[code] : undefined;
  return label && !/\p{Script=Han}/u.test(message) ? `${label} ${message}` : message;
}
