import DataLoader from 'dataloader';
import type { Identity } from '../auth/identity';
import type { Database } from '../db/database';
import { SensitiveReadCollector } from '../audit/sensitive-read.collector';
import { type Access, accessFor, regionScope, townshipOf } from '../permissions/access';
import { regions } from '../regions/region.registry';
import type { Clock } from './clock';
import { type AppError, UnauthenticatedError } from './errors';

/** What a read may touch: decided once per request from the verified identity. */
export interface Reader {
  readonly identity: Identity;
  readonly access: Access;
  /** County codes in the reader's region, or null when that is every county (the province); empty for a township user. */
  readonly counties: readonly string[] | null;
  /** A township user's township: children are in scope only when they live there. */
  readonly township: string | null;
  /** Unmasked sensitive values sent in this request, for the audit. */
  readonly audit: SensitiveReadCollector;
}

/**
 * The reader's region as a SQL condition over a row's township and county columns, its parameters
 * numbered from `$first`: a township user's township, a county or city reader's counties, or no
 * condition for the province.
 */
export function regionCondition(reader: Reader, columns: { readonly township: string; readonly county: string }, first: number): { where: string | null; values: unknown[] } {
  if (reader.township) return { where: `${columns.township} = $${first}`, values: [reader.township] };
  if (reader.counties === null) return { where: null, values: [] };
  return { where: `${columns.county} = ANY($${first}::text[])`, values: [reader.counties] };
}

export function readerFor(identity: Identity): Reader {
  const counties = regionScope(identity);
  return {
    identity,
    access: accessFor(identity),
    counties: counties.length === regions.counties().length ? null : counties,
    township: townshipOf(identity),
    audit: new SensitiveReadCollector(),
  };
}

/** The per-request state every resolver receives. Loaders live here, so they never outlive a request. */
export class RequestContext<Services = unknown> {
  private readonly loaderCache = new Map<string, DataLoader<unknown, unknown>>();
  private cachedReader: Reader | null = null;
  private deadline: { at: number; error: () => Error } | null = null;

  constructor(
    readonly requestId: string,
    private readonly identity: Identity | null,
    /** Why the presented token was refused, reported when the operation needs an identity. */
    readonly authError: AppError | null,
    readonly db: Database,
    readonly clock: Clock,
    readonly services: Services,
  ) {}

  get isAuthenticated(): boolean {
    return this.identity !== null;
  }

  user(): Identity {
    if (this.identity) return this.identity;
    throw this.authError ?? new UnauthenticatedError('需要令牌 (send a bearer token in the Authorization header)');
  }

  /** The reader, if one was made: a request that never read anything has nothing to audit. */
  get readerIfAny(): Reader | null {
    return this.cachedReader;
  }

  /**
   * Every read of data goes through reader(), so this is where a query past its time limit stops:
   * one comparison per data field, instead of a wrapper around every resolver.
   */
  reader(): Reader {
    if (this.deadline && Date.now() > this.deadline.at) throw this.deadline.error();
    this.cachedReader ??= readerFor(this.user());
    return this.cachedReader;
  }

  /** From now on, reads after `at` (epoch ms) fail with the given error (queries only: a write is finished once begun). */
  setDeadline(at: number, error: () => Error): void {
    this.deadline = { at, error };
  }

  /** Forget everything loaded so far: a write in this request may have changed it. */
  clearLoaders(): void {
    this.loaderCache.clear();
  }

  /** The request's one loader under `key`, made on first use. */
  loader<K, V>(key: string, create: () => DataLoader<K, V>): DataLoader<K, V> {
    let loader = this.loaderCache.get(key);
    if (!loader) {
      loader = create() as DataLoader<unknown, unknown>;
      this.loaderCache.set(key, loader);
    }
    return loader as DataLoader<K, V>;
  }
}
