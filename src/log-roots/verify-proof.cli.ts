import fs from 'node:fs';
import { publicJwk, type PublicJwk } from './log-root.keys';
import { verifyProofDocument } from './log-root.proof';

const USAGE = `用法 usage: npm run -s verify-proof -- proof.json --key keys.json
       npm run -s verify-proof -- notice-proofs.json --key keys.json

Checks, offline, an inclusion proof of a change-log entry (the document field of the changeLogProof
query, saved to a file) against the hub's public keys (the JWKS at /.well-known/baoxue-log-keys.json,
fetched once and kept: a key taken from the proof itself would prove nothing). It checks that the
entry hashes to its hash (when the proof carries it), that the entry is in its chain's Merkle tree,
that the chain's leaf is in the root's tree, and that the root is signed with one of the keys.
A notice's proofs (GET /notices/<id>/proofs.json) are checked each against the root the notice names.
Exit status: 0 the proof holds (every proof of a notice), 1 it does not, 2 the files could not be read.`;

const NOTICE_PROOFS = 'baoxue-notice-proofs/1';

/** Every proof of a notice's bundle against the bundle's root; the first refusals named. */
function verifyBundle(bundle: { notice?: { number?: string }; root?: unknown; proofs?: unknown }, keys: PublicJwk[]): number {
  if (!Array.isArray(bundle.proofs) || typeof bundle.root !== 'object' || bundle.root === null) {
    process.stdout.write('证明不成立 PROOFS REFUSED: 缺少 root 或 proofs (the bundle has no root or no proofs)\n');
    return 1;
  }
  let held = 0;
  let withContent = 0;
  const refused: string[] = [];
  let root: { seq: number; at: string; root: string } | null = null;
  for (const proof of bundle.proofs as Array<Record<string, unknown>>) {
    const verdict = verifyProofDocument(JSON.stringify({ ...proof, root: bundle.root }), keys);
    if (verdict.ok) {
      held++;
      if (verdict.contentChecked) withContent++;
      root = verdict.root;
    } else if (refused.length < 5) {
      refused.push(`${String(proof.chain)}:${String(proof.seq)}: ${verdict.problem}`);
    } else refused.push('');
  }
  const notice = bundle.notice?.number ?? '?';
  if (refused.length > 0) {
    process.stdout.write(`证明不成立 PROOFS REFUSED: ${refused.length} of ${bundle.proofs.length} proofs of notice ${notice} do not hold\n${refused.filter(Boolean).map((line) => `  ${line}\n`).join('')}`);
    return 1;
  }
  process.stdout.write(
    `证明成立 proofs hold: all ${held} entries of notice ${notice} are in root ${root ? `${root.seq} (${root.at}, ${root.root})` : '(none: the notice has no entries for you)'}, ` +
      `signed with a key you gave; ${withContent} of them with their content checked against their hash\n`,
  );
  return 0;
}

/** `npm run verify-proof -- proof.json --key keys.json`: exits 0 when the proof holds, 1 when it does not. */
function main(argv: readonly string[]): number {
  const keyAt = argv.indexOf('--key');
  const keyFile = keyAt >= 0 ? argv[keyAt + 1] : undefined;
  const proofFile = argv.find((arg, i) => !arg.startsWith('--') && i !== keyAt + 1);
  if (!proofFile || !keyFile || argv.includes('--help')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let keys: PublicJwk[];
  let text: string;
  try {
    const set = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { keys?: unknown };
    if (!Array.isArray(set.keys)) throw new Error('应为 JWKS，含 keys 数组 (must be a JWKS with a keys array)');
    keys = set.keys.map((k) => publicJwk(k as never));
    text = fs.readFileSync(proofFile, 'utf8');
  } catch (error) {
    process.stderr.write(`verify-proof: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  let parsed: { format?: unknown } | null = null;
  try {
    parsed = JSON.parse(text) as { format?: unknown };
  } catch {
    parsed = null;
  }
  if (parsed && parsed.format === NOTICE_PROOFS) return verifyBundle(parsed as never, keys);
  const verdict = verifyProofDocument(text.trim(), keys);
  if (!verdict.ok) {
    process.stdout.write(`证明不成立 PROOF REFUSED: ${verdict.problem}\n`);
    return 1;
  }
  const proof = JSON.parse(text) as { chain: string; seq: number };
  process.stdout.write(
    `证明成立 proof holds: entry ${proof.chain}:${proof.seq} is in root ${verdict.root.seq} (${verdict.root.at}, ${verdict.root.root}), ` +
      `signed with a key you gave; ${verdict.contentChecked ? 'the entry\'s content was checked against its hash' : 'the proof carries the entry\'s hash only, not its content'}\n`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
