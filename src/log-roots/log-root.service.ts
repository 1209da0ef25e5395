import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { jose } from '../auth/jose';
import { executeInTransaction } from '../changelog/change-log.append';
import type { Sql } from '../db/sql';
import type { RootKeys } from './log-root.keys';
import { type ChainLeaf, chainLeafBytes, JWS_TYPE, PROOF_FORMAT, type ProofDocument, rootPayloadText, type SignedRootDocument } from './log-root.proof';
import { Frontier, type Hash, leafHash, MerkleTree } from './merkle';
import { type RootVerifyResult, verifyRoots } from './log-root.verify';

/** The advisory lock one signer at a time holds (the other hub locks are 727100001 and 727100002). */
export const ROOT_LOCK = 727_100_004;
/** Entry hashes read per statement while a chain's tree is extended or built. */
const PAGE = 50_000;

export interface RootLeaf extends ChainLeaf {
  /** The root in which the chain last moved (its leaf is stored with that root). */
  readonly rootSeq: number;
}

export interface SignedRoot {
  readonly root: SignedRootDocument;
  /** Every chain's leaf in the root, in code order (the order of the root's tree). */
  readonly leaves: readonly RootLeaf[];
  /** False when nothing had changed since the latest root, which is returned instead. */
  readonly created: boolean;
}

/** What proves one entry in one root, without the entry's content (its reader decides that). */
export type ProofMaterial = Omit<ProofDocument, 'entry'>;

const ROOT_COLUMNS = `seq::float8 AS seq, at, root_hash AS "rootHash", prev_hash AS "prevRootHash", chains, key_id AS "keyId", jws`;

function rootDocument(row: Record<string, any>): SignedRootDocument {
  const at = row.at instanceof Date ? row.at.toISOString() : new Date(row.at).toISOString();
  return { seq: Number(row.seq), at, rootHash: row.rootHash, prevRootHash: row.prevRootHash ?? null, chains: Number(row.chains), keyId: row.keyId, jws: row.jws };
}

const sortByCode = <T extends { chain: string }>(leaves: T[]): T[] => leaves.sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));

/**
 * The leaves of root `$1`: for each chain (every chain ever appended to has a head row), its latest
 * stored leaf at or before the root, one probe of the primary key each, however many roots there are.
 * In no particular order: callers sort by code in JavaScript, as the root's tree is built.
 */
const LEAVES_AT = `SELECT l.* FROM hub.chain_head h CROSS JOIN LATERAL (
    SELECT c.chain, c.size::float8 AS size, c.head_hash AS "headHash", c.tree_hash AS "treeHash", c.root_seq::float8 AS "rootSeq", c.edge
    FROM hub.log_root_chain c WHERE c.chain = h.chain AND c.root_seq <= $1 ORDER BY c.root_seq DESC LIMIT 1) l`;

/**
 * Signed roots over the change log's chains (RFC 6962 trees: each chain's entries, then the chains'
 * leaves), and inclusion proofs of entries in them.
 *
 * A root never covers an entry that a crash could take back. Small writes commit asynchronously
 * and are flushed just after (change-log.append.ts, `COMMIT_HERE`), so a chain head read here may
 * not be on disk yet. The root is inserted in a transaction that commits synchronously, and handed
 * out (returned, or read by anyone) only after that commit: every entry it covers was committed
 * before the head was read, so its commit record is earlier in the WAL than the root's, and WAL is
 * flushed in order — once the root's commit is on disk, so is everything it covers. If the hub
 * crashes before, the root is lost with them, and was never seen: PostgreSQL shows a synchronous
 * commit to other sessions only once it is flushed.
 */
export class LogRootService {
  constructor(
    private readonly orm: MikroORM,
    private readonly sql: Sql,
    private readonly keys: RootKeys,
  ) {}

  get publicKeys(): RootKeys['jwks'] {
    return this.keys.jwks;
  }

  /** Every root checked against the published keys and the log (log-root.verify.ts). */
  verify(): Promise<RootVerifyResult> {
    return verifyRoots(this.sql, this.keys.jwks.keys);
  }

  /**
   * Computes, signs and stores a root over every chain's head now, and returns it once it is on
   * disk; if no chain moved since the latest root, returns that one (it covers everything now).
   * One signer at a time (an advisory lock; the table's trigger refuses a root that does not
   * follow the last one, should anything else insert).
   */
  async signNow(): Promise<SignedRoot> {
    return this.orm.em.fork().transactional(async (em) => {
      await executeInTransaction(em, "SELECT set_config('synchronous_commit', 'on', true), pg_advisory_xact_lock(?)", [ROOT_LOCK]);
      const [latestRow] = await executeInTransaction<Record<string, any>>(em, `SELECT ${ROOT_COLUMNS} FROM hub.log_root ORDER BY seq DESC LIMIT 1`, []);
      const previous = latestRow ? await this.leavesIn(em, Number(latestRow.seq)) : [];
      const byChain = new Map(previous.map((leaf) => [leaf.chain, leaf]));
      const heads = await executeInTransaction<{ chain: string; seq: string; hash: string }>(em, 'SELECT chain, seq::text AS seq, hash::text AS hash FROM hub.chain_head', []);
      const moved = heads.filter((head) => byChain.get(head.chain)?.size !== Number(head.seq));
      if (latestRow && moved.length === 0) return { root: rootDocument(latestRow), leaves: previous, created: false };

      const seq = latestRow ? Number(latestRow.seq) + 1 : 1;
      const fresh: Array<RootLeaf & { edge: string[] }> = [];
      for (const head of moved) {
        const before = byChain.get(head.chain);
        const frontier = before ? Frontier.of(before.size, before.edge.map((h) => Buffer.from(h, 'hex'))) : Frontier.empty();
        const last = await this.extend(em, head.chain, frontier, Number(head.seq));
        if ((last ?? before?.headHash ?? head.hash) !== head.hash) throw new Error(`change log: chain ${head.chain}'s head row does not name its entry ${head.seq}`);
        fresh.push({ chain: head.chain, size: frontier.size, headHash: head.hash, treeHash: frontier.root().toString('hex'), rootSeq: seq, edge: frontier.hashes.map((h) => h.toString('hex')) });
      }
      for (const leaf of fresh) byChain.set(leaf.chain, leaf);
      const leaves = sortByCode([...byChain.values()]);
      const tree = new MerkleTree(leaves.map((leaf) => leafHash(chainLeafBytes(leaf))));
      const payload = { seq, at: new Date().toISOString(), root: tree.root().toString('hex'), prev: latestRow?.rootHash ?? null, chains: leaves.length };
      const { CompactSign } = await jose();
      const jws = await new CompactSign(Buffer.from(rootPayloadText(payload), 'utf8'))
        .setProtectedHeader({ alg: 'ES256', kid: this.keys.kid, typ: JWS_TYPE })
        .sign(this.keys.privateKey);
      await executeInTransaction(em, 'INSERT INTO hub.log_root (seq, at, root_hash, prev_hash, chains, key_id, jws) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [seq, payload.at, payload.root, payload.prev, payload.chains, this.keys.kid, jws]);
      await executeInTransaction(em, `INSERT INTO hub.log_root_chain (chain, root_seq, size, head_hash, tree_hash, edge)
        SELECT chain, ?, size, "headHash", "treeHash", ARRAY(SELECT jsonb_array_elements_text(edge)) FROM jsonb_to_recordset(?::jsonb) AS x(chain text, size bigint, "headHash" text, "treeHash" text, edge jsonb)`,
        [seq, JSON.stringify(fresh)]);
      const root: SignedRootDocument = { seq, at: payload.at, rootHash: payload.root, prevRootHash: payload.prev, chains: payload.chains, keyId: this.keys.kid, jws };
      return { root, leaves: leaves.map(({ chain, size, headHash, treeHash, rootSeq }) => ({ chain, size, headHash, treeHash, rootSeq })), created: true };
    });
  }

  /** Appends a chain's entries after the frontier's size up to `to`; the hash of the last one read. */
  private async extend(em: EntityManager, chain: string, frontier: Frontier, to: number): Promise<string | null> {
    let last: string | null = null;
    while (frontier.size < to) {
      const rows = await executeInTransaction<{ seq: string; hash: string }>(em,
        'SELECT l.seq::text AS seq, l.hash::text AS hash FROM hub.change_log l WHERE l.chain = ? AND l.seq > ? AND l.seq <= ? ORDER BY l.seq LIMIT ?', [chain, frontier.size, to, PAGE]);
      if (rows.length === 0) throw new Error(`change log: chain ${chain} has no entry ${frontier.size + 1}, though its head is ${to}`);
      for (const row of rows) {
        if (Number(row.seq) !== frontier.size + 1) throw new Error(`change log: chain ${chain} has no entry ${frontier.size + 1}`);
        frontier.append(leafHash(Buffer.from(row.hash, 'hex')));
        last = row.hash;
      }
    }
    return last;
  }

  private async leavesIn(em: EntityManager, seq: number): Promise<Array<RootLeaf & { edge: string[] }>> {
    const rows = await executeInTransaction<Record<string, any> & { chain: string }>(em, LEAVES_AT.replace('$1', '?'), [seq]);
    return sortByCode(rows).map((r) => ({ chain: r.chain, size: Number(r.size), headHash: r.headHash, treeHash: r.treeHash, rootSeq: Number(r.rootSeq), edge: r.edge }));
  }

  async get(seq: number): Promise<SignedRootDocument | null> {
    const [row] = await this.sql.query(`SELECT ${ROOT_COLUMNS} FROM hub.log_root WHERE seq = $1`, [seq]);
    return row ? rootDocument(row) : null;
  }

  async latest(): Promise<SignedRootDocument | null> {
    const [row] = await this.sql.query(`SELECT ${ROOT_COLUMNS} FROM hub.log_root ORDER BY seq DESC LIMIT 1`);
    return row ? rootDocument(row) : null;
  }

  /** Roots after `afterSeq`, oldest first; one more than asked, to tell whether a page follows. */
  async list(afterSeq: number, limit: number): Promise<SignedRootDocument[]> {
    return (await this.sql.query(`SELECT ${ROOT_COLUMNS} FROM hub.log_root WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit])).map(rootDocument);
  }

  async leaves(rootSeq: number): Promise<RootLeaf[]> {
    return (await this.leavesOfMany([rootSeq])).get(rootSeq) ?? [];
  }

  /** The leaves of several roots in one statement (a page of roots asks for each one's). */
  async leavesOfMany(rootSeqs: readonly number[]): Promise<Map<number, RootLeaf[]>> {
    const rows = await this.sql.query<Record<string, any> & { chain: string }>(`SELECT r.seq::float8 AS "of", l.* FROM unnest($1::bigint[]) AS r(seq)
      CROSS JOIN LATERAL (${LEAVES_AT.replace('$1', 'r.seq')}) l`, [rootSeqs]);
    const byRoot = new Map<number, RootLeaf[]>(rootSeqs.map((seq) => [seq, []]));
    for (const r of sortByCode(rows)) byRoot.get(Number(r.of))?.push({ chain: r.chain, size: Number(r.size), headHash: r.headHash, treeHash: r.treeHash, rootSeq: Number(r.rootSeq) });
    return byRoot;
  }

  /**
   * The proof material of many entries in one root: each chain's tree is built once (its entries'
   * hashes read once, up to its size in the root), and the root's tree once. An entry the root
   * does not cover (a later one, or a chain it has no leaf for) gets null.
   */
  async proofs(root: SignedRootDocument, entries: ReadonlyArray<{ chain: string; seq: number }>): Promise<Array<ProofMaterial | null>> {
    const leaves = await this.leaves(root.seq);
    const rootTree = new MerkleTree(leaves.map((leaf) => leafHash(chainLeafBytes(leaf))));
    const index = new Map(leaves.map((leaf, i) => [leaf.chain, i]));
    const trees = new Map<string, { tree: MerkleTree; hashes: string[] }>();
    for (const chain of new Set(entries.map((e) => e.chain))) {
      const leaf = leaves[index.get(chain) ?? -1];
      if (!leaf) continue;
      const hashes = await this.chainHashes(chain, leaf.size);
      const tree = new MerkleTree(hashes.map((h) => leafHash(Buffer.from(h, 'hex'))));
      if (tree.root().toString('hex') !== leaf.treeHash) throw new Error(`change log: chain ${chain} no longer matches root ${root.seq}`);
      trees.set(chain, { tree, hashes });
    }
    const hex = (hashes: Hash[]) => hashes.map((h) => h.toString('hex'));
    return entries.map(({ chain, seq }) => {
      const built = trees.get(chain);
      const i = index.get(chain)!;
      if (!built || !Number.isSafeInteger(seq) || seq < 1 || seq > built.hashes.length) return null;
      const { chain: _c, rootSeq: _r, ...leaf } = leaves[i];
      return {
        format: PROOF_FORMAT, chain, seq, entryHash: built.hashes[seq - 1],
        chainLeaf: { chain, ...leaf }, chainPath: hex(built.tree.path(seq - 1)), leafIndex: i, rootPath: hex(rootTree.path(i)), root,
      };
    });
  }

  private async chainHashes(chain: string, size: number): Promise<string[]> {
    const hashes: string[] = [];
    while (hashes.length < size) {
      const rows = await this.sql.query<{ hash: string }>('SELECT hash::text AS hash FROM hub.change_log WHERE chain = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4', [chain, hashes.length, size, PAGE]);
      if (rows.length === 0) throw new Error(`change log: chain ${chain} has fewer than ${size} entries`);
      for (const row of rows) hashes.push(row.hash);
    }
    return hashes;
  }
}
