import { createHash } from 'node:crypto';
import { EMPTY_TREE_HASH, Frontier, leafHash, MerkleTree, nodeHash, rootFromPath, verifyInclusion } from './merkle';

/** The reference test vectors of Certificate Transparency (certificate-transparency-go, testonly/constants.go). */
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
/** Inclusion paths of the same vectors: [leaf index, tree size, path]. */
const PATHS: Array<[number, number, string[]]> = [
  [0, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [5, 8, ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
];
const hex = (b: Buffer) => b.toString('hex');

describe('RFC 6962 Merkle trees', () => {
  const leaves = LEAVES.map(leafHash);

  it('gives the reference root of every size from 0 to 8, whole and from its right edge', () => {
    expect(hex(EMPTY_TREE_HASH)).toBe(createHash('sha256').digest('hex'));
    const frontier = Frontier.empty();
    for (let n = 0; n <= 8; n++) {
      expect(hex(new MerkleTree(leaves.slice(0, n)).root())).toBe(ROOTS[n]);
      expect(hex(frontier.root())).toBe(ROOTS[n]);
      // An edge kept and taken up again gives the same root.
      expect(hex(Frontier.of(frontier.size, frontier.hashes).root())).toBe(ROOTS[n]);
      if (n < 8) frontier.append(leaves[n]);
    }
  });

  it('gives the reference inclusion paths, and they verify', () => {
    const tree = new MerkleTree(leaves);
    for (const [index, size, path] of PATHS) {
      expect(tree.path(index).map(hex)).toEqual(path);
      expect(verifyInclusion(index, size, leaves[index], path.map((p) => Buffer.from(p, 'hex')), Buffer.from(ROOTS[size], 'hex'))).toBe(true);
    }
  });

  it('verifies the path of every leaf of every tree up to 70 leaves, and refuses it at another index, with a sibling changed or one too many', () => {
    const many = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from([i])));
    for (let size = 1; size <= 70; size++) {
      const tree = new MerkleTree(many.slice(0, size));
      const frontier = Frontier.empty();
      for (let i = 0; i < size; i++) frontier.append(many[i]);
      expect(frontier.root().equals(tree.root())).toBe(true);
      for (let i = 0; i < size; i++) {
        const path = tree.path(i);
        expect(verifyInclusion(i, size, many[i], path, tree.root())).toBe(true);
        if (size > 1) expect(verifyInclusion((i + 1) % size, size, many[i], path, tree.root())).toBe(false);
        if (path.length) {
          const changed = path.map((p) => Buffer.from(p));
          changed[0][0] ^= 1;
          expect(verifyInclusion(i, size, many[i], changed, tree.root())).toBe(false);
          expect(rootFromPath(i, size, many[i], [...path, many[0]])).toBeNull();
        }
      }
    }
  });

  it('keeps a leaf from passing for a node (the prefixes differ)', () => {
    const [a, b] = [leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))];
    expect(leafHash(Buffer.concat([a, b])).equals(nodeHash(a, b))).toBe(false);
    expect(() => new MerkleTree([a]).path(1)).toThrow(RangeError);
    expect(() => Frontier.of(3, [a])).toThrow();
  });
});
