import type { Sql } from '../db/sql';
import type { PublicJwk } from './log-root.keys';
import { chainLeafBytes, verifyRootJws, type ChainLeaf } from './log-root.proof';
import { Frontier, leafHash, MerkleTree } from './merkle';

export interface RootVerifyResult {
  readonly ok: boolean;
  readonly roots: number;
  /** The first root that does not hold: its signature, its link, its tree or a chain leaf that the log does not match. */
  readonly firstBadRoot: number | null;
  readonly problem: string | null;
}

const PAGE = 50_000;

interface StoredLeaf extends ChainLeaf {
  readonly rootSeq: number;
}

/**
 * Checks every signed root: each follows the one before (seq gap-free, `prev_hash` its hash), its
 * JWS holds under one of `keys` and says what the row says, its hash is the tree over its chains'
 * leaves (the stored leaves of the chains that moved, the earlier ones for the rest), and every
 * stored leaf matches the log: the chain's tree over its first `size` entries' hashes, recomputed,
 * and its head. Names the first bad root.
 */
export async function verifyRoots(sql: Sql, keys: readonly PublicJwk[]): Promise<RootVerifyResult> {
  const roots = await sql.query<Record<string, any>>('SELECT seq::float8 AS seq, at, root_hash AS "rootHash", prev_hash AS "prevHash", chains, key_id AS "keyId", jws FROM hub.log_root ORDER BY seq');
  const stored = await sql.query<Record<string, any>>('SELECT chain, root_seq::float8 AS "rootSeq", size::float8 AS size, head_hash AS "headHash", tree_hash AS "treeHash" FROM hub.log_root_chain ORDER BY root_seq, chain');
  const leavesOf = new Map<number, StoredLeaf[]>();
  for (const r of stored) {
    const leaf: StoredLeaf = { chain: r.chain, rootSeq: Number(r.rootSeq), size: Number(r.size), headHash: r.headHash, treeHash: r.treeHash };
    leavesOf.set(leaf.rootSeq, [...(leavesOf.get(leaf.rootSeq) ?? []), leaf]);
  }
  const bad: Array<{ seq: number; problem: string }> = [];
  const current = new Map<string, StoredLeaf>();
  let previous: Record<string, any> | null = null;
  for (const root of roots) {
    const seq = Number(root.seq);
    const fail = (zh: string, en: string) => bad.push({ seq, problem: `签名根 ${seq}：${zh} (root ${seq}: ${en})` });
    if (seq !== (previous ? Number(previous.seq) + 1 : 1)) fail('序号不连续', 'the roots\' sequence has a gap before it');
    else if ((root.prevHash ?? null) !== (previous?.rootHash ?? null)) fail('未链接上一个根', 'it does not name the previous root\'s hash');
    for (const leaf of leavesOf.get(seq) ?? []) {
      if (leaf.size < (current.get(leaf.chain)?.size ?? 0)) fail(`链 ${leaf.chain} 变短`, `chain ${leaf.chain} is shorter than in an earlier root`);
      current.set(leaf.chain, leaf);
    }
    try {
      const { payload, kid } = verifyRootJws(root.jws, keys);
      const at = (root.at instanceof Date ? root.at : new Date(root.at)).toISOString();
      if (payload.seq !== seq || payload.at !== at || payload.root !== root.rootHash || payload.prev !== (root.prevHash ?? null) || payload.chains !== Number(root.chains) || kid !== root.keyId) {
        fail('记录与签名内容不符', 'its row differs from what is signed');
      }
    } catch (error) {
      fail('签名不成立', (error as Error).message);
    }
    const leaves = [...current.values()].sort((a, b) => (a.chain < b.chain ? -1 : 1));
    if (leaves.length !== Number(root.chains) || new MerkleTree(leaves.map((l) => leafHash(chainLeafBytes(l)))).root().toString('hex') !== root.rootHash) {
      fail('根哈希与各链叶不符', 'its hash is not the tree over its chains\' leaves');
    }
    previous = root;
  }
  // Each chain's stored leaves against the log, in one walk of its entries' hashes.
  const byChain = new Map<string, StoredLeaf[]>();
  for (const leaves of leavesOf.values()) for (const leaf of leaves) byChain.set(leaf.chain, [...(byChain.get(leaf.chain) ?? []), leaf]);
  for (const [chain, leaves] of byChain) {
    leaves.sort((a, b) => a.size - b.size);
    const frontier = Frontier.empty();
    let head: string | null = null;
    let i = 0;
    const check = () => {
      while (i < leaves.length && leaves[i].size === frontier.size) {
        const leaf = leaves[i++];
        const headOk = leaf.size === 0 || leaf.headHash === head;
        if (!headOk || frontier.root().toString('hex') !== leaf.treeHash) {
          bad.push({ seq: leaf.rootSeq, problem: `签名根 ${leaf.rootSeq}：链 ${chain} 的叶与日志不符 (root ${leaf.rootSeq}: chain ${chain}'s leaf does not match the log)` });
        }
      }
    };
    check();
    const last = leaves[leaves.length - 1].size;
    while (frontier.size < last) {
      const rows = await sql.query<{ seq: string; hash: string }>('SELECT l.seq::text AS seq, l.hash::text AS hash FROM hub.change_log l WHERE l.chain = $1 AND l.seq > $2 AND l.seq <= $3 ORDER BY l.seq LIMIT $4', [chain, frontier.size, last, PAGE]);
      if (rows.length === 0 || Number(rows[0].seq) !== frontier.size + 1) break;
      for (const row of rows) {
        if (Number(row.seq) !== frontier.size + 1) break;
        frontier.append(leafHash(Buffer.from(row.hash, 'hex')));
        head = row.hash;
        check();
      }
    }
    for (; i < leaves.length; i++) bad.push({ seq: leaves[i].rootSeq, problem: `签名根 ${leaves[i].rootSeq}：链 ${chain} 的日志少于 ${leaves[i].size} 条 (root ${leaves[i].rootSeq}: chain ${chain} holds fewer than ${leaves[i].size} entries)` });
  }
  const first = bad.sort((a, b) => a.seq - b.seq)[0] ?? null;
  return { ok: !first, roots: roots.length, firstBadRoot: first?.seq ?? null, problem: first?.problem ?? null };
}
