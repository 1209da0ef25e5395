import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isRealDate } from './dates';

function parse(value: unknown): string {
  if (typeof value !== 'string' || !isRealDate(value)) {
    throw new GraphQLError(`日期应为 YYYY-MM-DD 格式的真实日期 (expected a real calendar date YYYY-MM-DD, got ${JSON.stringify(value)?.slice(0, 40)})`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

/** A calendar date with no time of day and no time zone: `2026-09-01`. */
export const LocalDate = new GraphQLScalarType<string, string>({
  name: 'LocalDate',
  description: '日期（无时区）A calendar date, YYYY-MM-DD',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : parse(value)),
  parseValue: parse,
  parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : undefined),
});
