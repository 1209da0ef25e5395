import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';
import { verifyProofDocument, verifyRootJws } from '../../src/log-roots/log-root.proof';
import type { PublicJwk } from '../../src/log-roots/log-root.keys';

let hub: TestHub;
const t: Record<string, string> = {};
let keys: PublicJwk[];
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

const ROOT = 'seq at rootHash prevRootHash chainCount keyId jws';
const SIGN = `mutation { signLogRoot { ${ROOT} } }`;
const LATEST = `{ logRoot { ${ROOT} chains { chain size headHash treeHash } } }`;
const PROOF = `query($chain: String!, $seq: Int!, $rootSeq: Int) { changeLogProof(chain: $chain, seq: $seq, rootSeq: $rootSeq) {
  chain seq entryHash entry chainLeaf { chain size } leafIndex root { seq } document } }`;

async function data(query: string, variables: Record<string, unknown>, token: string): Promise<any> {
  const res = await hub.gql(query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data;
}

const gulou = [childInput({ name: '陈思远' }), childInput({ name: '王雨桐', gender: 'FEMALE' })];
const siming = childInput({ hukouRegion: '350203', name: '黄子涵' });

beforeAll(async () => {
  hub = await startTestHub();
  t.edu = await hub.token({ dept: 'EDU', region: '350102' });
  t.civil = await hub.token({ dept: 'CIVIL', region: '350102' });
  t.eduSiming = await hub.token({ dept: 'EDU', region: '350203' });
  t.supervisor = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'] });
  t.analyst = await hub.token({ dept: 'EDU', region: '350102', roles: ['analyst'] });
  expect(codes(await hub.gql(REGISTER, { records: gulou }, t.edu))).toEqual([]);
  expect(codes(await hub.gql(REGISTER, { records: [siming] }, t.eduSiming))).toEqual([]);
  keys = (await (await fetch(`${hub.url}/.well-known/baoxue-log-keys.json`)).json()).keys;
});
afterAll(() => hub?.stop());

describe('signed roots', () => {
  let first: any;

  it('are signed on demand by supervisors only, once per change, and publish their key at the well-known URL', async () => {
    expect((await data(LATEST, {}, t.edu)).logRoot).toBeNull();
    expect(codes(await hub.gql(SIGN, {}, t.edu))).toEqual(['FORBIDDEN']);
    first = (await data(SIGN, {}, t.supervisor)).signLogRoot;
    expect(first).toMatchObject({ seq: 1, prevRootHash: null, keyId: keys[0].kid });
    // Nothing written since: the same root again, not a new one.
    expect((await data(SIGN, {}, t.supervisor)).signLogRoot).toEqual(first);
    const { payload } = verifyRootJws(first.jws, keys);
    expect(payload).toMatchObject({ seq: 1, root: first.rootHash, prev: null, chains: first.chainCount });
  });

  it('show a reader the chain leaves of its own region only (a county\'s write volume), and an analyst none', async () => {
    expect((await data(LATEST, {}, t.edu)).logRoot.chains.map((c: any) => c.chain)).toEqual(['350102']);
    expect((await data(LATEST, {}, t.eduSiming)).logRoot.chains.map((c: any) => c.chain)).toEqual(['350203']);
    expect((await data(LATEST, {}, t.supervisor)).logRoot.chains.map((c: any) => [c.chain, c.size])).toEqual([['350102', 2], ['350203', 1], ['global', 0]]);
    expect((await data(LATEST, {}, t.analyst)).logRoot.chains).toEqual([]);
  });

  it('prove an entry offline, with its content to a reader who sees all of it, and its hash alone to one who sees a field masked', async () => {
    const full = (await data(PROOF, { chain: '350102', seq: 2 }, t.edu)).changeLogProof;
    expect(full).toMatchObject({ chain: '350102', seq: 2, chainLeaf: { chain: '350102', size: 2 }, root: { seq: 1 } });
    expect(JSON.parse(full.entry)).toMatchObject({ seq: '2', entity: 'Child' });
    expect(verifyProofDocument(full.document, keys)).toMatchObject({ ok: true, contentChecked: true });
    // CIVIL reads the ID number masked: the proof carries the hash, not the number.
    const masked = (await data(PROOF, { chain: '350102', seq: 2 }, t.civil)).changeLogProof;
    expect(masked.entry).toBeNull();
    expect(masked.document).not.toContain(gulou[1].idNumber!);
    expect(verifyProofDocument(masked.document, keys)).toMatchObject({ ok: true, contentChecked: false });
  });

  it('refuse a proof of an entry out of the reader\'s scope exactly as one of an entry that does not exist', async () => {
    const outOfScope = await hub.gql(PROOF, { chain: '350102', seq: 1 }, t.eduSiming);
    const missing = await hub.gql(PROOF, { chain: '350102', seq: 99 }, t.eduSiming);
    const missingChain = await hub.gql(PROOF, { chain: '350104', seq: 1 }, t.eduSiming);
    expect(codes(outOfScope)).toEqual(['NOT_FOUND']);
    const shape = (r: any) => JSON.stringify({ ...r.body, errors: r.body.errors.map((e: any) => ({ ...e, message: e.message.replace(/\d{6}:\d+/, '…'), extensions: { ...e.extensions, requestId: null } })) });
    expect(shape(outOfScope)).toBe(shape(missing));
    expect(shape(outOfScope)).toBe(shape(missingChain));
    expect(codes(await hub.gql(PROOF, { chain: '350102', seq: 1 }, t.analyst))).toEqual(['FORBIDDEN']);
    const bad = await hub.gql(PROOF, { chain: '35010', seq: 1 }, t.edu);
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(bad.body.errors)).toContain('chain');
  });

  it('chain each root to the one before; an older root still proves what it covered, and not what came after it', async () => {
    expect(codes(await hub.gql(REGISTER, { records: [childInput({ name: '李浩然' })] }, t.edu))).toEqual([]);
    const second = (await data(SIGN, {}, t.supervisor)).signLogRoot;
    expect(second).toMatchObject({ seq: 2, prevRootHash: first.rootHash });
    const old = (await data(PROOF, { chain: '350102', seq: 1, rootSeq: 1 }, t.edu)).changeLogProof;
    expect(verifyProofDocument(old.document, keys)).toMatchObject({ ok: true, root: { seq: 1 } });
    const later = await hub.gql(PROOF, { chain: '350102', seq: 3, rootSeq: 1 }, t.edu);
    expect(codes(later)).toEqual(['NOT_FOUND']);
    expect((await data(PROOF, { chain: '350102', seq: 3 }, t.edu)).changeLogProof.root.seq).toBe(2);
    const list = (await data('{ logRoots(first: 1) { edges { node { seq } } pageInfo { hasNextPage endCursor } } }', {}, t.edu)).logRoots;
    expect(list.edges.map((e: any) => e.node.seq)).toEqual([1]);
    expect(list.pageInfo.hasNextPage).toBe(true);
  });

  it('refuse a proof with any one byte changed (entry, paths, leaf, root, signature), with the verifier and its CLI', async () => {
    const proof = (await data(PROOF, { chain: '350102', seq: 2 }, t.edu)).changeLogProof.document as string;
    const bytes = Buffer.from(proof, 'utf8');
    const accepted: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const changed = Buffer.from(bytes);
      changed[i] ^= 0x01;
      if (verifyProofDocument(changed.toString('utf8'), keys).ok) accepted.push(i);
    }
    expect(accepted).toEqual([]);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-proof-'));
    fs.writeFileSync(path.join(dir, 'keys.json'), JSON.stringify({ keys }));
    fs.writeFileSync(path.join(dir, 'good.json'), proof);
    const signature = proof.lastIndexOf('.') + 5;
    fs.writeFileSync(path.join(dir, 'bad.json'), proof.slice(0, signature) + (proof[signature] === 'A' ? 'B' : 'A') + proof.slice(signature + 1));
    const cli = (file: string) => {
      try {
        return { status: 0, out: execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/log-roots/verify-proof.cli.ts', path.join(dir, file), '--key', path.join(dir, 'keys.json')], { encoding: 'utf8' }) };
      } catch (error: any) {
        return { status: error.status as number, out: String(error.stdout) };
      }
    };
    expect(cli('good.json')).toMatchObject({ status: 0, out: expect.stringContaining('proof holds') });
    expect(cli('bad.json')).toMatchObject({ status: 1, out: expect.stringContaining('REFUSED') });
    fs.rmSync(dir, { recursive: true });
  }, 60_000);
});

describe('signers side by side', () => {
  it('two instances signing at once, and each on its own schedule, neither fork nor gap the roots', async () => {
    const other = await startTestHub({ sameDatabaseAs: hub, env: { LOG_ROOT_INTERVAL_SECONDS: '1' } });
    try {
      const before = (await data(LATEST, {}, t.supervisor)).logRoot.seq;
      for (let round = 0; round < 3; round++) {
        expect(codes(await hub.gql(REGISTER, { records: [childInput()] }, t.edu))).toEqual([]);
        expect(codes(await other.gql(REGISTER, { records: [childInput({ hukouRegion: '350203' })] }, t.eduSiming))).toEqual([]);
        const signed = await Promise.all([hub.gql(SIGN, {}, t.supervisor), other.gql(SIGN, {}, t.supervisor), hub.gql(SIGN, {}, t.supervisor)]);
        expect(signed.flatMap(codes)).toEqual([]);
      }
      // The other instance's schedule signs a root once a second when something changed. Nothing
      // changed since the last signing, so the roots are counted before the write: counted after
      // it, the schedule may already have signed.
      const count = async () => (await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.log_root'))[0].n;
      const afterSigning = await count();
      expect(codes(await other.gql(REGISTER, { records: [childInput()] }, t.edu))).toEqual([]);
      const deadline = Date.now() + 10_000;
      while ((await count()) === afterSigning && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      const roots = await hub.sql<{ seq: number; linked: boolean }>(
        'SELECT seq::int AS seq, prev_hash IS NOT DISTINCT FROM lag(root_hash) OVER (ORDER BY seq) AS linked FROM hub.log_root ORDER BY seq');
      expect(roots.map((r) => r.seq)).toEqual(roots.map((_, i) => i + 1));
      expect(roots.every((r) => r.linked)).toBe(true);
      expect(roots.length).toBeGreaterThan(before + 3);
      expect(roots.length).toBe(afterSigning + 1);
    } finally {
      await other.stop();
    }
  }, 60_000);
});

describe('verification of the roots', () => {
  const VERIFY = '{ verifyChangeLog { ok roots { ok roots firstBadRoot problem } } }';

  it('holds for the roots signed, and the database refuses to change or delete a root', async () => {
    const { verifyChangeLog } = await data(VERIFY, {}, t.supervisor);
    expect(verifyChangeLog).toMatchObject({ ok: true, roots: { ok: true, firstBadRoot: null, problem: null } });
    expect(verifyChangeLog.roots.roots).toBeGreaterThan(5);
    await expect(hub.sql("UPDATE hub.log_root SET at = at + interval '1 second' WHERE seq = 1")).rejects.toThrow(/append-only/);
    await expect(hub.sql('DELETE FROM hub.log_root_chain')).rejects.toThrow(/append-only/);
    await expect(hub.sql('TRUNCATE hub.log_root CASCADE')).rejects.toThrow(/append-only/);
    await expect(hub.sql("INSERT INTO hub.log_root (seq, at, root_hash, prev_hash, chains, key_id, jws) VALUES (5, now(), repeat('a', 64), NULL, 1, 'k', 'x')")).rejects.toThrow(/does not follow/);
  });

  it('names the root whose stored chain leaf does not match the log', async () => {
    const [{ seq }] = await hub.sql<{ seq: number }>("SELECT max(root_seq)::int AS seq FROM hub.log_root_chain WHERE chain = '350203'");
    await hub.sql('ALTER TABLE hub.log_root_chain DISABLE TRIGGER log_root_chain_no_update_or_delete');
    await hub.sql("UPDATE hub.log_root_chain SET tree_hash = repeat('c', 64) WHERE chain = '350203' AND root_seq = $1", [seq]);
    await hub.sql('ALTER TABLE hub.log_root_chain ENABLE TRIGGER log_root_chain_no_update_or_delete');
    const { roots } = (await data(VERIFY, {}, t.supervisor)).verifyChangeLog;
    // The leaf no longer matches the log, and the root's hash no longer matches its leaves: either names the root.
    expect(roots).toMatchObject({ ok: false, firstBadRoot: seq });
    expect(roots.problem).toMatch(new RegExp(`root ${seq}`));
  });

  it('names the first root whose row was altered behind the triggers', async () => {
    await hub.sql('ALTER TABLE hub.log_root DISABLE TRIGGER log_root_no_update_or_delete');
    await hub.sql("UPDATE hub.log_root SET root_hash = repeat('b', 64) WHERE seq = 1");
    await hub.sql('ALTER TABLE hub.log_root ENABLE TRIGGER log_root_no_update_or_delete');
    const { roots } = (await data(VERIFY, {}, t.supervisor)).verifyChangeLog;
    expect(roots).toMatchObject({ ok: false, firstBadRoot: 1 });
    expect(roots.problem).toMatch(/root 1/);
  });
});
