import { createHash, createPublicKey, verify } from 'node:crypto';
import { canonical } from '../changelog/hash-chain';
import type { PublicJwk } from './log-root.keys';
import { leafHash, verifyInclusion } from './merkle';

/**
 * What a root signs, what a chain's leaf is, and how a proof is checked: everything a department
 * needs to check a proof without the hub, in one file that uses node:crypto alone (and the
 * canonical JSON of the change log's hashes). `npm run verify-proof` runs `verifyProofDocument`.
 */

export const PROOF_FORMAT = 'baoxue-change-log-proof/1';
export const JWS_TYPE = 'baoxue-log-root+jws';
const LOG_NAME = 'baoxue-change-log';

/** A chain's leaf in a root's tree: its size and head then, and the root of the tree over its entries' hashes. */
export interface ChainLeaf {
  readonly chain: string;
  readonly size: number;
  readonly headHash: string;
  readonly treeHash: string;
}

/** The bytes of a chain's leaf: the canonical JSON of its four members. */
export function chainLeafBytes(leaf: ChainLeaf): Buffer {
  return Buffer.from(canonical({ chain: leaf.chain, headHash: leaf.headHash, size: leaf.size, treeHash: leaf.treeHash }), 'utf8');
}

/** What a root's signature covers. */
export interface RootPayload {
  readonly seq: number;
  readonly at: string;
  readonly root: string;
  /** The previous root's hash; null for the first root. */
  readonly prev: string | null;
  /** How many chain leaves the root's tree has (its size, for checking paths). */
  readonly chains: number;
}

export function rootPayloadText(payload: RootPayload): string {
  return canonical({ at: payload.at, chains: payload.chains, log: LOG_NAME, prev: payload.prev, root: payload.root, seq: payload.seq });
}

/** A root as handed out: the signed JWS and, for convenience, what it says. */
export interface SignedRootDocument {
  readonly seq: number;
  readonly at: string;
  readonly rootHash: string;
  readonly prevRootHash: string | null;
  readonly chains: number;
  readonly keyId: string;
  readonly jws: string;
}

/** An inclusion proof of one entry in one root, as `changeLogProof` and the notices' exports give it. */
export interface ProofDocument {
  readonly format: typeof PROOF_FORMAT;
  readonly chain: string;
  readonly seq: number;
  readonly entryHash: string;
  /** The entry exactly as hashed (seq as text, time as ISO text), or null when the reader may not see all of it. */
  readonly entry: Record<string, unknown> | null;
  readonly chainLeaf: ChainLeaf;
  /** The audit path of the entry (leaf seq − 1) in its chain's tree of `chainLeaf.size` entries. */
  readonly chainPath: readonly string[];
  /** The chain's leaf's place among the root's leaves (sorted by chain code). */
  readonly leafIndex: number;
  readonly rootPath: readonly string[];
  readonly root: SignedRootDocument;
}

const HEX = /^[0-9a-f]{64}$/;
const B64URL = /^[A-Za-z0-9_-]*$/;

export type Verdict = { readonly ok: true; readonly contentChecked: boolean; readonly root: RootPayload } | { readonly ok: false; readonly problem: string };

class Refused extends Error {}
const refuse = (zh: string, en: string): never => {
  throw new Refused(`${zh} (${en})`);
};

function exactKeys(value: unknown, keys: readonly string[], what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return refuse(`${what} 应为对象`, `${what} must be an object`);
  const have = Object.keys(value).sort();
  const want = [...keys].sort();
  if (have.length !== want.length || have.some((k, i) => k !== want[i])) return refuse(`${what} 的字段应为 ${want.join(', ')}`, `${what} must have exactly the members ${want.join(', ')}`);
  return value as Record<string, unknown>;
}

const hex = (value: unknown, what: string): string => (typeof value === 'string' && HEX.test(value) ? value : refuse(`${what} 应为64位小写十六进制`, `${what} must be 64 lower-case hex digits`));
const count = (value: unknown, what: string, min: number): number => (Number.isSafeInteger(value) && (value as number) >= min ? (value as number) : refuse(`${what} 应为不小于 ${min} 的整数`, `${what} must be an integer of at least ${min}`));
const hashes = (value: unknown, what: string): Buffer[] => (Array.isArray(value) && value.length <= 64 ? value.map((h, i) => Buffer.from(hex(h, `${what}[${i}]`), 'hex')) : refuse(`${what} 应为哈希数组`, `${what} must be an array of hashes`));

/** The payload of a root's JWS if its signature holds under one of `keys` (by its kid); refuses otherwise. */
export function verifyRootJws(jws: string, keys: readonly PublicJwk[]): { payload: RootPayload; kid: string } {
  const parts = jws.split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) return refuse('根签名不是 JWS 紧凑格式', 'the root\'s signature is not a compact JWS');
  const [header64, payload64, signature64] = parts;
  // Only the one encoding of each part: a base64url text whose spare bits differ decodes to the same bytes.
  for (const part of parts) if (Buffer.from(part, 'base64url').toString('base64url') !== part) refuse('根签名的编码不规范', 'the root\'s signature is not canonically encoded');
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(header64, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(payload64, 'base64url').toString('utf8'));
  } catch {
    return refuse('根签名的内容不是 JSON', 'the root\'s signed content is not JSON');
  }
  exactKeys(header, ['alg', 'kid', 'typ'], 'JWS header');
  if (header.alg !== 'ES256' || header.typ !== JWS_TYPE) refuse('根签名应为 ES256', `the root must be signed ES256 with typ ${JWS_TYPE}`);
  const key = keys.find((k) => k.kid === header.kid);
  if (!key) return refuse(`没有编号为 ${String(header.kid)} 的公钥`, `no public key with kid ${String(header.kid)} was given`);
  const publicKey = createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x, y: key.y }, format: 'jwk' });
  const signature = Buffer.from(signature64, 'base64url');
  if (signature.length !== 64 || !verify('sha256', Buffer.from(`${header64}.${payload64}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)) {
    refuse('根签名不成立', 'the root\'s signature does not hold');
  }
  exactKeys(payload, ['at', 'chains', 'log', 'prev', 'root', 'seq'], 'JWS payload');
  const signed: RootPayload = {
    seq: count(payload.seq, 'payload.seq', 1),
    at: typeof payload.at === 'string' && !Number.isNaN(Date.parse(payload.at)) ? payload.at : refuse('payload.at 应为时间', 'payload.at must be a time'),
    root: hex(payload.root, 'payload.root'),
    prev: payload.prev === null ? null : hex(payload.prev, 'payload.prev'),
    chains: count(payload.chains, 'payload.chains', 1),
  };
  if (payload.log !== LOG_NAME || rootPayloadText(signed) !== Buffer.from(payload64, 'base64url').toString('utf8')) refuse('根签名的内容不规范', 'the root\'s signed content is not canonical');
  return { payload: signed, kid: key.kid };
}

/**
 * Checks a proof from its text alone, with public keys the checker got separately (not from the
 * proof): the entry hashes to `entryHash` (when it is there), the entry is leaf seq−1 of its chain's
 * tree, that tree is the chain's leaf, the leaf is in the root's tree, and the root is signed. Every
 * copy of a signed value must equal it, and nothing else may be in the document.
 */
export function verifyProofDocument(text: string, keys: readonly PublicJwk[]): Verdict {
  try {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return refuse('证明不是 JSON', 'the proof is not JSON');
    }
    const proof = exactKeys(parsed, ['format', 'chain', 'seq', 'entryHash', 'entry', 'chainLeaf', 'chainPath', 'leafIndex', 'rootPath', 'root'], 'proof');
    if (proof.format !== PROOF_FORMAT) refuse(`证明格式应为 ${PROOF_FORMAT}`, `format must be ${PROOF_FORMAT}`);
    const chain = typeof proof.chain === 'string' && /^([0-9]{6}|global)$/.test(proof.chain) ? proof.chain : refuse('chain 应为区划代码或 global', 'chain must be a region code or global');
    const seq = count(proof.seq, 'seq', 1);
    const entryHash = hex(proof.entryHash, 'entryHash');
    if (proof.entry !== null) {
      const entry = exactKeys(proof.entry, Object.keys(proof.entry as object), 'entry');
      if (entry.seq !== String(seq)) refuse('条目的序号与证明不符', 'the entry\'s seq is not the proof\'s');
      if (createHash('sha256').update(canonical(entry)).digest('hex') !== entryHash) refuse('条目内容与哈希不符', 'the entry does not hash to entryHash');
    }
    const leafDoc = exactKeys(proof.chainLeaf, ['chain', 'size', 'headHash', 'treeHash'], 'chainLeaf');
    const leaf: ChainLeaf = { chain: String(leafDoc.chain), size: count(leafDoc.size, 'chainLeaf.size', 1), headHash: hex(leafDoc.headHash, 'chainLeaf.headHash'), treeHash: hex(leafDoc.treeHash, 'chainLeaf.treeHash') };
    if (leaf.chain !== chain) refuse('链叶不属于此链', 'chainLeaf is another chain\'s');
    if (seq > leaf.size) refuse('条目不在根所覆盖的范围内', 'the entry is beyond the chain\'s size in the root');
    if (seq === leaf.size && leaf.headHash !== entryHash) refuse('链头哈希与条目不符', 'the chain\'s head is not the entry');
    if (!verifyInclusion(seq - 1, leaf.size, leafHash(Buffer.from(entryHash, 'hex')), hashes(proof.chainPath, 'chainPath'), Buffer.from(leaf.treeHash, 'hex'))) {
      refuse('条目不在链的默克尔树中', 'the chain path does not lead from the entry to the chain\'s tree hash');
    }
    const rootDoc = exactKeys(proof.root, ['seq', 'at', 'rootHash', 'prevRootHash', 'chains', 'keyId', 'jws'], 'root');
    const { payload, kid } = verifyRootJws(typeof rootDoc.jws === 'string' ? rootDoc.jws : refuse('root.jws 应为文本', 'root.jws must be text'), keys);
    if (rootDoc.seq !== payload.seq || rootDoc.at !== payload.at || rootDoc.rootHash !== payload.root || rootDoc.prevRootHash !== payload.prev || rootDoc.chains !== payload.chains || rootDoc.keyId !== kid) {
      refuse('根的明文与签名内容不符', 'the root\'s plain members differ from what is signed');
    }
    if (!verifyInclusion(count(proof.leafIndex, 'leafIndex', 0), payload.chains, leafHash(chainLeafBytes(leaf)), hashes(proof.rootPath, 'rootPath'), Buffer.from(payload.root, 'hex'))) {
      refuse('链叶不在签名根的默克尔树中', 'the root path does not lead from the chain\'s leaf to the signed root');
    }
    return { ok: true, contentChecked: proof.entry !== null, root: payload };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, problem: error.message };
    throw error;
  }
}
