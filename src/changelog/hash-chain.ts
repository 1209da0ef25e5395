import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/unit-of-work';

export const GENESIS_HASH = '0'.repeat(64);

/** One change-log entry as stored: everything the hash covers. */
export interface StoredEntry {
  seq: number;
  at: Date;
  actorSub: string;
  actorDept: string;
  actorRegion: string;
  actorRoles: string[];
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  entity: string;
  entityId: string;
  /** Null for entries about no child (acknowledgements of notices). */
  childId: string;
  hukouRegion: string;
  residenceRegion: string;
  version: number | null;
  changes: Record<string, { before: unknown; after: unknown }>;
  mutation: string;
  reason: string | null;
  requestId: string;
  idempotencyKey: string | null;
  prevHash: string;
}

/**
 * SHA-256 over a canonical serialisation (sorted keys, ISO time), so that the hash can be
 * recomputed from the stored row by anyone, in any language, and any altered byte shows.
 */
export function entryHash(entry: StoredEntry): string {
  const { at, ...rest } = entry;
  return createHash('sha256').update(canonicalJson({ ...rest, seq: String(entry.seq), at: at.toISOString() })).digest('hex');
}
