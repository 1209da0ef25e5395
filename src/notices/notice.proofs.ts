import type { Writable } from 'node:stream';
import type { ChangeLogEntryType } from '../changelog/change-log.type';
import type { Reader } from '../core/context';
import type { ProofDocument, SignedRootDocument } from '../log-roots/log-root.proof';
import { drained } from './notice.export';
import type { NoticeRow } from './notice.service';

/**
 * A notice's proof material (`GET /notices/<id>/proofs.json`): the signed root the notice names,
 * and for every entry of the notice the reader is shown, its inclusion proof in that root, so that
 * a department can prove what it was told without trusting the hub. Each proof is the document
 * `changeLogProof` gives, without its `root` (the bundle's, once): put the root back and
 * `npm run verify-proof` checks it, or give it the whole bundle. An entry whose fields the reader
 * sees all unmasked comes with its content, which the verifier hashes; the others with their hash
 * alone (the export's rows show what the reader may see of them).
 */
export const NOTICE_PROOFS_FORMAT = 'baoxue-notice-proofs/1';

export interface NoticeProofSource {
  proofsFor(reader: Reader, root: SignedRootDocument, positions: ReadonlyArray<{ chain: string; seq: number }>): Promise<Array<ProofDocument | null>>;
}

/** Entries of one chain proved per call (each call builds the chain's tree once). */
const GROUP = 20_000;

export async function writeProofs(
  notice: NoticeRow, root: SignedRootDocument, entries: AsyncIterable<ChangeLogEntryType>, source: NoticeProofSource, reader: Reader,
  out: Writable, afterGroup: () => Promise<void>,
): Promise<void> {
  const { number, period, dept, region, contentHash } = notice;
  out.write(`{"format":${JSON.stringify(NOTICE_PROOFS_FORMAT)},"notice":${JSON.stringify({ number, period, dept, region, rootSeq: root.seq, contentHash })},`
    + `"root":${JSON.stringify(root)},"proofs":[`);
  let first = true;
  let group: Array<{ chain: string; seq: number }> = [];
  const flush = async () => {
    if (group.length === 0) return;
    const proofs = await source.proofsFor(reader, root, group);
    group = [];
    for (const proof of proofs) {
      if (!proof) continue;
      const { root: _root, ...rest } = proof;
      out.write(`${first ? '' : ','}\n${JSON.stringify(rest)}`);
      first = false;
    }
    await afterGroup();
    await drained(out);
  };
  for await (const entry of entries) {
    if (group.length > 0 && (group[0].chain !== entry.chain || group.length >= GROUP)) await flush();
    group.push({ chain: entry.chain, seq: entry.seq });
  }
  await flush();
  out.end(']}\n');
}
