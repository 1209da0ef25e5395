import { GraphQLError } from 'graphql';

/**
 * The codes a client may see in `extensions.code`. Anything that is not an AppError (or a
 * GraphQL validation error) is masked as INTERNAL_SERVER_ERROR and logged with the request id.
 */
export type AppErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'QUERY_TOO_COMPLEX'
  | 'TIMEOUT';

/** One problem with one input value: which record of a batch, which field, and why. */
export interface InputProblem {
  /** Path to the value, e.g. `records[3].idNumber`. */
  readonly path: string;
  readonly reason: string;
}

export abstract class AppError extends GraphQLError {
  abstract readonly code: AppErrorCode;

  protected constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions });
  }
}

export class UnauthenticatedError extends AppError {
  readonly code = 'UNAUTHENTICATED' as const;
  constructor(reason: string) {
    super(`未认证 Unauthenticated: ${reason}`, { code: 'UNAUTHENTICATED', http: { status: 401 } });
  }
}

export class ForbiddenError extends AppError {
  readonly code = 'FORBIDDEN' as const;
  constructor(reason: string) {
    super(`无权限 Forbidden: ${reason}`, { code: 'FORBIDDEN' });
  }
}

export class BadUserInputError extends AppError {
  readonly code = 'BAD_USER_INPUT' as const;
  readonly problems: readonly InputProblem[];
  /** `http.status` for a refusal made before execution, where there is no data to answer 200 with. */
  constructor(problems: readonly InputProblem[], http?: { status: number }) {
    const head = problems.slice(0, 5).map((p) => `${p.path}: ${p.reason}`).join('; ');
    const more = problems.length > 5 ? ` (+${problems.length - 5} more)` : '';
    super(`输入有误 Bad input: ${head}${more}`, { code: 'BAD_USER_INPUT', problems, ...(http ? { http } : {}) });
    this.problems = problems;
  }
  static one(path: string, reason: string): BadUserInputError {
    return new BadUserInputError([{ path, reason }]);
  }
}

export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND' as const;
  constructor(what: string, details: Record<string, unknown> = {}) {
    super(`未找到 Not found: ${what}`, { code: 'NOT_FOUND', ...details });
  }
}

export class ConflictError extends AppError {
  readonly code = 'CONFLICT' as const;
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super(`冲突 Conflict: ${reason}`, { code: 'CONFLICT', ...details });
  }
}

/** A request over one of the limits of src/web/query-safety.ts; `limit`, `value` and `max` say which and by how much. */
export class QueryTooComplexError extends AppError {
  readonly code = 'QUERY_TOO_COMPLEX' as const;
  constructor(reason: string, details: { limit?: string; value?: number; max?: number } = {}) {
    super(`查询过于复杂 Query too complex: ${reason}`, { code: 'QUERY_TOO_COMPLEX', ...details, http: { status: 400 } });
  }
}

/** An operation still running when the per-request time limit ran out; fields not started by then are not resolved. */
export class OperationTimeoutError extends AppError {
  readonly code = 'TIMEOUT' as const;
  constructor(limitMs: number) {
    super(`查询超时 Operation timed out: 超过 ${limitMs} 毫秒仍未完成 (still running after ${limitMs} ms)`, { code: 'TIMEOUT', limitMs });
  }
}

/** Codes that graphql-js and Apollo produce themselves for malformed requests; safe to show. */
export const PASS_THROUGH_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Collects input problems so that a whole batch is reported at once, then thrown before any write. */
export class Problems {
  private readonly list: InputProblem[] = [];
  add(path: string, reason: string): void {
    this.list.push({ path, reason });
  }
  get count(): number {
    return this.list.length;
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new BadUserInputError(this.list);
  }
}
