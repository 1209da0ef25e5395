import { createHash } from 'node:crypto';

/**
 * Merkle trees as Certificate Transparency defines them (RFC 6962 §2.1, RFC 9162 §2.1): a leaf's
 * hash is SHA-256(0x00 ‖ input), a node's SHA-256(0x01 ‖ left ‖ right), and a tree of n leaves
 * splits at the largest power of two below n. The prefixes keep a leaf from passing for a node.
 * Written out here (a few dozen lines) so that the offline verifier needs nothing but node:crypto.
 */

export type Hash = Buffer;

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export const EMPTY_TREE_HASH: Hash = createHash('sha256').digest();

export function leafHash(input: Uint8Array): Hash {
  return createHash('sha256').update(LEAF).update(input).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

/**
 * A whole tree held level by level, to give many inclusion paths of one tree: built once in
 * 2n hashes. Pairing bottom-up and carrying a level's odd last node up unhashed gives exactly
 * RFC 6962's tree (whose left subtree is always the largest perfect one).
 */
export class MerkleTree {
  private readonly levels: Hash[][];

  constructor(leafHashes: readonly Hash[]) {
    this.levels = [leafHashes.slice()];
    let level = this.levels[0];
    while (level.length > 1) {
      const up: Hash[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) up.push(nodeHash(level[i], level[i + 1]));
      if (level.length % 2 === 1) up.push(level[level.length - 1]);
      this.levels.push(up);
      level = up;
    }
  }

  get size(): number {
    return this.levels[0].length;
  }

  root(): Hash {
    return this.size === 0 ? EMPTY_TREE_HASH : this.levels[this.levels.length - 1][0];
  }

  /** The audit path of leaf `index` (RFC 9162 §2.1.3.1), nearest sibling first. */
  path(index: number): Hash[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new RangeError(`leaf ${index} is not in a tree of ${this.size}`);
    const path: Hash[] = [];
    let i = index;
    for (let depth = 0; depth < this.levels.length - 1; depth++) {
      const level = this.levels[depth];
      const sibling = i ^ 1;
      // The odd last node of a level has no sibling there: it moves up as it is.
      if (sibling < level.length) path.push(level[sibling]);
      i >>= 1;
    }
    return path;
  }
}

/**
 * The root an inclusion path leads to (RFC 9162 §2.1.3.2), or null when the path cannot belong to
 * a leaf at `index` of a tree of `size` (too long or too short).
 */
export function rootFromPath(index: number, size: number, leaf: Hash, path: readonly Hash[]): Hash | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export function verifyInclusion(index: number, size: number, leaf: Hash, path: readonly Hash[], root: Hash): boolean {
  const computed = rootFromPath(index, size, leaf, path);
  return computed !== null && computed.equals(root);
}

/**
 * The right edge of a growing tree: the roots of the perfect subtrees its size is the sum of
 * (one per set bit, largest first). Enough to append leaves and know the root without the leaves
 * before: the signer keeps each chain's edge with its root, and reads only the entries since.
 */
export class Frontier {
  private constructor(
    private count: number,
    private readonly edge: Hash[],
  ) {}

  static empty(): Frontier {
    return new Frontier(0, []);
  }

  static of(size: number, edge: readonly Hash[]): Frontier {
    let bits = 0;
    for (let n = size; n > 0; n = Math.floor(n / 2)) bits += n % 2;
    if (bits !== edge.length) throw new Error(`a tree of ${size} leaves has ${bits} subtrees on its edge, not ${edge.length}`);
    return new Frontier(size, edge.slice());
  }

  get size(): number {
    return this.count;
  }

  get hashes(): readonly Hash[] {
    return this.edge;
  }

  append(leaf: Hash): void {
    let carry = leaf;
    // Like adding one to a binary number: each trailing set bit is a subtree of the new one's height.
    for (let n = this.count; n % 2 === 1; n = Math.floor(n / 2)) carry = nodeHash(this.edge.pop()!, carry);
    this.edge.push(carry);
    this.count++;
  }

  root(): Hash {
    if (this.edge.length === 0) return EMPTY_TREE_HASH;
    let r = this.edge[this.edge.length - 1];
    for (let i = this.edge.length - 2; i >= 0; i--) r = nodeHash(this.edge[i], r);
    return r;
  }
}
