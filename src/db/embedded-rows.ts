import { types as pgTypes } from 'pg';

/**
 * Rows read as JSON inside another statement (a section in the page's statement) must come out
 * exactly as the driver gives them from a statement of their own. JSON keeps text, numbers,
 * booleans and nulls as the driver parses them, and writes a `date` as `YYYY-MM-DD`, which is
 * how `Sql` keeps dates. A `timestamptz` is the one difference: it is sent as the milliseconds
 * since 1970 (the microseconds cut off, as the driver's parser cuts them), which make the same
 * Date without parsing text; a value with no such number (infinity) is sent as its text and
 * parsed by the driver's own parser.
 */
export function jsonColumn(field: string, expression: string, timestamp = false): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(field)) throw new Error(`not a field name: ${field}`);
  if (!timestamp) return `'${field}', ${expression}`;
  return `'${field}', CASE WHEN isfinite(${expression}) THEN to_jsonb(floor(extract(epoch FROM ${expression}) * 1000)) ELSE to_jsonb((${expression})::text) END`;
}

const parseTimestamptz = pgTypes.getTypeParser(1184) as (text: string) => unknown;

/** A JSON row of `jsonColumn`s back as the driver's row: its `timestamps` fields made Dates as the driver makes them. */
export function readJsonRow(json: unknown, timestamps: readonly string[]): Record<string, unknown> {
  const row = json as Record<string, unknown>;
  for (const field of timestamps) {
    const value = row[field];
    if (typeof value === 'number') row[field] = new Date(value);
    else if (typeof value === 'string') row[field] = parseTimestamptz(value);
  }
  return row;
}
