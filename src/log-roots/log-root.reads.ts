import { createHash } from 'node:crypto';
import DataLoader from 'dataloader';
import { isSensitive } from '../audit/sensitive-read.collector';
import { loggedEntityByType } from '../changelog/catalogue';
import { visibleEntityTypes } from '../changelog/change-log.projection';
import { storedEntry } from '../changelog/change-log.verify';
import { canonical } from '../changelog/hash-chain';
import type { Reader } from '../core/context';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../core/errors';
import type { Sql } from '../db/sql';
import { regions } from '../regions/region.registry';
import type { ProofDocument, SignedRootDocument } from './log-root.proof';
import type { LogRootService, RootLeaf } from './log-root.service';

const CHAIN = /^([0-9]{6}|global)$/;

/**
 * How much of an entry a reader may be given in a proof: nothing (the reader may not know it
 * exists: `changeLog` would not list it), its hash only (it may see the entry, but some field of it
 * masked or hidden), or all of it (every field unmasked), decided by the same matrix as the log.
 */
export function disclosure(row: Record<string, unknown>, reader: Reader): 'none' | 'hash' | 'full' {
  const entry = storedEntry(row);
  const logged = loggedEntityByType(entry.entity);
  if (!logged || !reader.access.canRead(logged.visibleWith)) return 'none';
  if (logged.visibleTo && !logged.visibleTo(reader, entry)) return 'none';
  let shown = 0;
  let whole = true;
  for (const field of Object.keys(entry.changes)) {
    const level = logged.fieldsShownWithEntry ? 'R' : reader.access.level(`${entry.entity}.${field}`);
    if (level === '-') whole = false;
    else shown++;
    if (level === 'M') whole = false;
  }
  if (entry.operation === 'UPDATE' && shown === 0) return 'none';
  return whole ? 'full' : 'hash';
}

/** An entry exactly as its hash covers it: the canonical JSON of this object is what was hashed. */
export function hashedForm(row: Record<string, unknown>): Record<string, unknown> {
  const { hash: _hash, ...entry } = storedEntry(row);
  return JSON.parse(canonical({ ...entry, seq: String(entry.seq), at: entry.at.toISOString() })) as Record<string, unknown>;
}

/**
 * What readers are shown of roots. A root itself (sequence, time, hash, signature) says only that
 * something in the province was written in the minute before it: anyone signed in may read roots.
 * A chain's leaf says how many entries its county's chain holds, its write volume: a reader is shown
 * the leaves of the chains in its own region (the frozen `global` chain, which spans the province,
 * to province-wide readers) and, in a proof, the leaf of the entry's chain, which it may read an
 * entry of. A reader without row access (an analyst) sees no leaf and gets no proof.
 */
export class LogRootReads {
  constructor(
    private readonly roots: LogRootService,
    private readonly sql: Sql,
  ) {}

  /** A request's loader of the leaves the reader may see, by root seq: one statement for a page of roots. */
  visibleLeaves(reader: Reader): DataLoader<number, RootLeaf[]> {
    return new DataLoader(async (rootSeqs) => {
      if (!reader.access.readsRows) return rootSeqs.map(() => []);
      const region = reader.identity.region;
      const visible = (leaf: RootLeaf) => (leaf.chain === 'global' ? reader.counties === null && reader.township === null : regions.contains(region, leaf.chain));
      const byRoot = await this.roots.leavesOfMany(rootSeqs);
      return rootSeqs.map((seq) => (byRoot.get(seq) ?? []).filter(visible));
    });
  }

  /**
   * The inclusion proof of entry `seq` of `chain` in root `rootSeq` (the latest by default), if the
   * reader may read the entry; otherwise the same NOT_FOUND as for an entry that does not exist.
   */
  async proof(reader: Reader, chain: string, seq: number, rootSeq?: number | null): Promise<ProofDocument> {
    if (!reader.access.readsRows) throw new ForbiddenError('您的角色只能读取汇总统计 (your role reads aggregates only)');
    if (!CHAIN.test(chain)) throw BadUserInputError.one('chain', '应为6位区划代码或 global (must be a 6-digit region code or global)');
    if (!Number.isSafeInteger(seq) || seq < 1) throw BadUserInputError.one('seq', '应为正整数 (must be a positive integer)');
    if (rootSeq !== undefined && rootSeq !== null && (!Number.isSafeInteger(rootSeq) || rootSeq < 1)) throw BadUserInputError.one('rootSeq', '应为正整数 (must be a positive integer)');
    const params: unknown[] = [chain, seq, visibleEntityTypes(reader)];
    // The same rows `changeLog` shows this reader: its counties by hukou or residence, and the types it may read.
    const scope = reader.counties ? ` AND (hukou_region = ANY($4) OR residence_region = ANY($4))` : '';
    if (reader.counties) params.push(reader.counties);
    const [row] = await this.sql.query(`SELECT * FROM hub.change_log WHERE chain = $1 AND seq = $2 AND entity = ANY($3)${scope}`, params);
    const shown = row ? disclosure(row, reader) : 'none';
    if (!row || shown === 'none') throw new NotFoundError(`没有可查看的变更日志条目 ${chain}:${seq} (no such change-log entry visible to you)`);
    const root: SignedRootDocument | null = rootSeq ? await this.roots.get(rootSeq) : await this.roots.latest();
    if (!root) throw new NotFoundError(rootSeq ? `没有签名根 ${rootSeq} (no such root)` : '尚无签名根 (no root has been signed yet)');
    const [material] = await this.roots.proofs(root, [{ chain, seq }]);
    if (!material) throw new NotFoundError(`签名根 ${root.seq} 尚未覆盖此条目，请待下一个根 (root ${root.seq} does not cover this entry yet: ask again after the next root)`);
    const entry = shown === 'full' ? hashedForm(row) : null;
    if (entry && createHash('sha256').update(canonical(entry)).digest('hex') !== material.entryHash) throw new Error(`change log: entry ${chain}:${seq} does not hash to its hash`);
    if (entry) this.auditSensitive(reader, row);
    return { format: material.format, chain, seq, entryHash: material.entryHash, entry, chainLeaf: material.chainLeaf, chainPath: material.chainPath, leafIndex: material.leafIndex, rootPath: material.rootPath, root: material.root };
  }

  /**
   * The inclusion proofs in `root` of entries the reader was shown (a notice's, in its export), in
   * the order given: each with the entry's content when the reader sees every field of it unmasked,
   * else its hash alone, as `proof` decides; an entry the reader may not know of, or that the root
   * does not cover, gets none (null). One statement for the entries, and each chain's tree built
   * once: pass all of a chain's entries in one call.
   */
  async proofsFor(reader: Reader, root: SignedRootDocument, positions: ReadonlyArray<{ chain: string; seq: number }>): Promise<Array<ProofDocument | null>> {
    if (!reader.access.readsRows || positions.length === 0) return positions.map(() => null);
    const rows = await this.sql.query(
      `SELECT l.* FROM unnest($1::text[], $2::bigint[]) AS p(chain, seq) JOIN hub.change_log l ON l.chain = p.chain AND l.seq = p.seq`,
      [positions.map((p) => p.chain), positions.map((p) => p.seq)],
    );
    const byPosition = new Map(rows.map((row) => [`${row.chain}:${row.seq}`, row]));
    const materials = await this.roots.proofs(root, positions);
    return positions.map(({ chain, seq }, i) => {
      const row = byPosition.get(`${chain}:${seq}`);
      const material = materials[i];
      const shown = row ? disclosure(row, reader) : 'none';
      if (!row || !material || shown === 'none') return null;
      const entry = shown === 'full' ? hashedForm(row) : null;
      if (entry && createHash('sha256').update(canonical(entry)).digest('hex') !== material.entryHash) throw new Error(`change log: entry ${chain}:${seq} does not hash to its hash`);
      if (entry) this.auditSensitive(reader, row);
      return { format: material.format, chain, seq, entryHash: material.entryHash, entry, chainLeaf: material.chainLeaf, chainPath: material.chainPath, leafIndex: material.leafIndex, rootPath: material.rootPath, root: material.root };
    });
  }

  /** A proof with the entry's content shows its sensitive values unmasked: a read like any other. */
  private auditSensitive(reader: Reader, row: Record<string, unknown>): void {
    const entry = storedEntry(row);
    for (const [field, change] of Object.entries(entry.changes)) {
      const key = `${entry.entity}.${field}`;
      if (isSensitive(key) && (change.before !== null || change.after !== null)) reader.audit.record(entry.childId, key);
    }
  }
}
