import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerModules } from '../../src/app/modules';
import { ChildService } from '../../src/children/child.service';
import { generateChildren } from '../../seeds/generator';
import { checkCharacter } from '../../src/children/id-number';
import { loadConfig } from '../../src/config';
import { Clock } from '../../src/core/clock';
import { openDatabase } from '../../src/db/database';
import { DuplicateService } from '../../src/duplicates/duplicate.service';
import { meet, meetBeside, writeMatchKeys } from '../../src/duplicates/duplicate.blocking';
import { beforeCommit } from '../../src/core/unit-of-work';
import type { RegistrationCheck } from '../../src/children/registration-check';
import { regions } from '../../src/regions/region.registry';
import { type BenchCase, type CaseResult, round } from './bench';
import { BENCH_TODAY, createBenchDatabase, withClient } from './database';

/**
 * Issue 16's quality figures: a seeded database with duplicates planted at 1 % of its children, of
 * the kinds the national register sorts problem records into (a record without the number, a name
 * typed by ear, two digits swapped, another county of residence), found by the real sweep
 * (`DuplicateService.sweep`, what `npm run find-duplicates` runs). Recall is counted in the
 * POSSIBLE band (every pair the sweep proposes), precision in the LIKELY band. A pair of two
 * seeded children is never planted, so it counts as false (the generator's namesakes born the same
 * day in one county are, as far as the data can tell, indistinguishable from duplicates).
 */
const KINDS = ['missing-number', 'name-typo', 'swapped-digits', 'other-county', 'typo-and-other-county'] as const;
type Kind = (typeof KINDS)[number];
/** Common characters of given names: a typo replaces one character by one of these. */
const NAME_CHARACTERS = [...'伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉兰萍红'];

interface Original { id: string; idNumber: string | null; name: string; gender: string; birthDate: string; hukouRegion: string; residenceRegion: string; township: string | null }

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function plant(original: Original, kind: Kind, next: () => number): Omit<Original, 'id'> | null {
  const copy = { ...original, idNumber: null as string | null };
  const typo = () => {
    const characters = [...original.name];
    const at = characters.length > 1 ? 1 + Math.floor(next() * (characters.length - 1)) : 0;
    const pool = NAME_CHARACTERS.filter((c) => c !== characters[at]);
    characters[at] = pool[Math.floor(next() * pool.length)];
    return characters.join('');
  };
  const otherCounty = () => {
    const city = original.residenceRegion.slice(0, 4);
    const choices = regions.counties().map((c) => c.code).filter((c) => c.startsWith(city) && c !== original.residenceRegion);
    return choices.length ? choices[Math.floor(next() * choices.length)] : null;
  };
  switch (kind) {
    case 'missing-number':
      return copy;
    case 'name-typo':
      return { ...copy, name: typo() };
    case 'swapped-digits': {
      if (!original.idNumber) return null;
      // Two adjacent digits of the sequence swapped, the check character recomputed (as a system that fills it in would).
      const digits = [...original.idNumber.slice(0, 17)];
      const at = [14, 15].find((i) => digits[i] !== digits[i + 1]);
      if (at === undefined) return null;
      [digits[at], digits[at + 1]] = [digits[at + 1], digits[at]];
      const first17 = digits.join('');
      return { ...original, idNumber: first17 + checkCharacter(first17) };
    }
    case 'other-county': {
      const county = otherCounty();
      return county ? { ...copy, residenceRegion: county, township: null } : null;
    }
    case 'typo-and-other-county': {
      const county = otherCounty();
      return county ? { ...copy, name: typo(), residenceRegion: county, township: null } : null;
    }
  }
}

/** `npm run find-duplicates`'s command (package.json, after its build step), run on `url`; its counts and peak RSS in bytes. */
async function runSweepCli(url: string): Promise<{ sweep: { children: number; pairsFound: number }; peakRss: number }> {
  const script = (JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['find-duplicates'];
  const command = script.split('&& exec ')[1].split(' ');
  const child = spawn(command[0], command.slice(1), { cwd: join(__dirname, '../../..'), env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent', BAOXUE_TODAY: BENCH_TODAY }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let peakRss = 0;
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  const sampler = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakRss = Math.max(peakRss, Number(hwm[1]) * 1024);
    } catch { /* the process has ended */ }
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  const counts = /: ([\d,]+) children checked, ([\d,]+) new pairs/.exec(out);
  if (code !== 0 || !counts) throw new Error(`find-duplicates exited ${code}: ${out}`);
  const number = (text: string) => Number(text.replaceAll(',', ''));
  return { sweep: { children: number(counts[1]), pairsFound: number(counts[2]) }, peakRss };
}

export const duplicates: BenchCase = {
  name: 'duplicates',
  title: 'Duplicates: planted at 1 % of the children, found by the sweep (recall, precision, time)',
  needsDatabase: false,
  async run(context): Promise<CaseResult> {
    const { options } = context;
    const database = await createBenchDatabase(options, context.log);
    registerModules();
    const db = await openDatabase(loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, DATABASE_POOL_MAX: '4', LOG_LEVEL: 'silent', BAOXUE_TODAY: BENCH_TODAY }), () => undefined);
    try {
      const next = random(options.seed * 7919 + 16);
      const originals = await db.sql.query<Original>(`SELECT id, id_number AS "idNumber", name, gender, birth_date AS "birthDate", hukou_region AS "hukouRegion",
        residence_region AS "residenceRegion", township FROM hub.child ORDER BY md5(id::text || $1) LIMIT $2`, [String(options.seed), Math.round(database.children / 100)]);
      const planted: Array<{ original: string; copy: string; kind: Kind }> = [];
      const rows: Original[] = [];
      originals.forEach((original, i) => {
        const kind = KINDS[i % KINDS.length];
        const copy = plant(original, kind, next);
        if (!copy) return;
        const id = crypto.randomUUID();
        rows.push({ ...copy, id });
        planted.push({ original: original.id, copy: id, kind });
      });
      const inserted = await withClient(database.url, async (c) => (await c.query<{ id: string }>(`INSERT INTO hub.child (id, id_number, name, gender, birth_date, hukou_region, residence_region, township, created_by, updated_by)
        SELECT id, id_number, name, gender, birth_date, hukou, residence, township, 'bench', 'bench'
        FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[], $8::text[]) AS t(id, id_number, name, gender, birth_date, hukou, residence, township)
        ON CONFLICT DO NOTHING RETURNING id`, [rows.map((r) => r.id), rows.map((r) => r.idNumber), rows.map((r) => r.name), rows.map((r) => r.gender), rows.map((r) => r.birthDate),
        rows.map((r) => r.hukouRegion), rows.map((r) => r.residenceRegion), rows.map((r) => r.township)])).rows);
      const kept = new Set(inserted.map((r) => r.id));
      const truth = planted.filter((p) => kept.has(p.copy));
      context.log(`duplicates: planted ${truth.length.toLocaleString('en')} duplicates among ${database.children.toLocaleString('en')} children; sweeping`);

      // The sweep as it runs in production: `npm run find-duplicates`, its own process with the
      // heap limit package.json gives it; its peak RSS is the kernel's high-water mark (VmHWM).
      const started = performance.now();
      const { sweep, peakRss } = await runSweepCli(database.url);
      const sweepSeconds = (performance.now() - started) / 1000;
      const service = new DuplicateService(db.orm, db.sql, new Clock(BENCH_TODAY));
      // The sweep wrote the sound keys of every seeded child (the seed writes none). What autovacuum
      // (off on the bench's server) does after 200,000 inserts: statistics, so that the registrations
      // below are planned on the table as it is, and the visibility map, without which the check's
      // index-only lookup of the keys reads the heap as well (Migration0028).
      await withClient(database.url, (c) => c.query('VACUUM ANALYZE hub.child_match_key'));

      // The check's cost at registration: batches of 1,000 registered through the service with and
      // without it (new children, without numbers: the strictest check), and with its statements
      // alone: the lookup beside the children's inserts and the sound keys' insert after them, as
      // the check's, the names' sounds known before the batch and nothing scored; what the check
      // cannot cost less than, its floor.
      // One of each first, not measured: the first batch loaded the pinyin dictionary and compiled
      // the check's code (3 to 9 s, against 1 to 3 s after), as a hub does once. Then in ABCCBA
      // order (with, without, floor, floor, without, with…), so that the hub and the database
      // warming up batch after batch, which made each batch faster than the one before, weigh on
      // all alike; eight of each, as four were too few on a loaded machine.
      const clock = new Clock(BENCH_TODAY);
      const floor: RegistrationCheck<Promise<unknown> | null> = {
        // As the check does it: the lookup begun beside the write (in it where no connection is free), the keys after the children's rows.
        begin: (_actor, children) => {
          const looked = meetBeside(db.sql, service.scorer, children.map((c, index) => ({ ...c, index })));
          looked?.catch(() => undefined);
          return looked;
        },
        async registered(em, _actor, children, begun) {
          if (!begun) await meet(em, service.scorer, children.map((c, index) => ({ ...c, index })));
          beforeCommit(em, async () => {
            await begun;
            await writeMatchKeys(em, service.scorer, children);
          });
        },
      };
      const services = { with: new ChildService(db.orm, db.sql, clock, service), without: new ChildService(db.orm, db.sql, clock), floor: new ChildService(db.orm, db.sql, clock, floor) };
      const ORDER = ['with', 'without', 'floor', 'floor', 'without', 'with'] as const;
      const WARMUP = 3;
      const ROUNDS = 24;
      const fresh = generateChildren(clock, { seed: options.seed + 1009 }, (WARMUP + ROUNDS) * 1000);
      const seconds: Record<(typeof ORDER)[number], number[]> = { with: [], without: [], floor: [] };
      const actor = { identity: { sub: 'bench', dept: 'PSB' as const, region: '350000', roles: ['clerk' as const] }, requestId: 'bench-register' };
      for (let round = 0; round < WARMUP + ROUNDS; round++) {
        const batch = fresh.slice(round * 1000, (round + 1) * 1000).map((c) => ({
          id: crypto.randomUUID(), idNumber: null, hukouStatus: 'NO_HUKOU' as const, name: c.name, gender: c.gender, birthDate: c.birthDate, hukouRegion: c.hukouRegion, residenceRegion: c.residenceRegion, township: c.township,
        }));
        const which = ORDER[round % ORDER.length];
        if (which === 'floor') for (const c of batch) service.scorer.sound(c.name);
        const t = performance.now();
        await services[which].register(actor, batch);
        if (round >= WARMUP) seconds[which].push((performance.now() - t) / 1000);
      }
      const median = (xs: number[]) => {
        const sorted = [...xs].sort((x, y) => x - y);
        return (sorted[(sorted.length - 1) >> 1] + sorted[sorted.length >> 1]) / 2;
      };
      const checkOverhead = median(seconds.with) / median(seconds.without) - 1;
      const floorOverhead = median(seconds.floor) / median(seconds.without) - 1;

      const pairs = await db.sql.query<{ a: string; b: string; band: string }>('SELECT child_a::text AS a, child_b::text AS b, band FROM hub.duplicate_pair');
      const key = (x: string, y: string) => (x < y ? `${x}:${y}` : `${y}:${x}`);
      const plantedKeys = new Map(truth.map((p) => [key(p.original, p.copy), p.kind]));
      const foundBand = new Map(pairs.map((p) => [key(p.a, p.b), p.band]));
      const likely = pairs.filter((p) => p.band === 'LIKELY');
      const truePossible = truth.filter((p) => foundBand.has(key(p.original, p.copy))).length;
      const trueLikely = likely.filter((p) => plantedKeys.has(key(p.a, p.b))).length;
      const recall = truePossible / truth.length;
      const precision = likely.length ? trueLikely / likely.length : 0;
      const byKind = KINDS.map((kind) => {
        const of = truth.filter((p) => p.kind === kind);
        const found = of.filter((p) => foundBand.has(key(p.original, p.copy)));
        return [kind, of.length, found.length, found.filter((p) => foundBand.get(key(p.original, p.copy)) === 'LIKELY').length, of.length ? round(found.length / of.length, 3) : null] as const;
      });
      return {
        table: {
          columns: ['planted kind', 'planted', 'found (possible or likely)', 'found likely', 'recall'],
          rows: [...byKind, ['all', truth.length, truePossible, trueLikely, round(recall, 3)]],
        },
        targets: [
          { what: 'recall of planted pairs, POSSIBLE band', value: round(recall, 3), target: '≥ 0.95', met: recall >= 0.95 },
          { what: 'precision, LIKELY band', value: round(precision, 3), target: '≥ 0.90', met: precision >= 0.9 },
          { what: 'the check\'s share of a 1,000-child registration batch', value: round(checkOverhead, 3), target: '≤ 0.30', met: checkOverhead <= 0.3 },
          { what: 'the sweep (npm run find-duplicates), seconds per 1,000,000 children', value: round(sweepSeconds / (sweep.children / 1e6), 1), target: '≤ 60 (2,000,000 in ≤ 120 s)', met: sweepSeconds / (sweep.children / 1e6) <= 60 },
          { what: 'the sweep\'s peak RSS, MB', value: round(peakRss / 2 ** 20, 0), target: '≤ 512', met: peakRss <= 512 * 2 ** 20 },
        ],
        data: {
          children: database.children + truth.length, planted: truth.length, pairsProposed: pairs.length, likely: likely.length, trueLikely, falseLikely: likely.length - trueLikely,
          possibleOnly: pairs.length - likely.length, missed: truth.length - truePossible, sweepSeconds: round(sweepSeconds, 1), sweptChildren: sweep.children,
          peakRssMb: round(peakRss / 2 ** 20, 0), registerSecondsWithCheck: seconds.with.map((x) => round(x, 3)), registerSecondsWithout: seconds.without.map((x) => round(x, 3)),
          registerSecondsStatementsOnly: seconds.floor.map((x) => round(x, 3)), checkOverhead: round(checkOverhead, 3), statementsOnlyOverhead: round(floorOverhead, 3),
        },
        notes: [
          `confusion: LIKELY ${likely.length} proposed, ${trueLikely} planted, ${likely.length - trueLikely} not planted; POSSIBLE-only ${pairs.length - likely.length}; planted and missed ${truth.length - truePossible}`,
          `registering 1,000 children: ${median(seconds.with).toFixed(3)} s with the check, ${median(seconds.without).toFixed(3)} s without, ${median(seconds.floor).toFixed(3)} s with the check's statements alone (its floor: +${(floorOverhead * 100).toFixed(0)} %; medians of ${ROUNDS / 3}, after a batch of each unmeasured)`,
          `sweep (npm run find-duplicates, its own process) of ${sweep.children.toLocaleString('en')} children in ${sweepSeconds.toFixed(1)} s, its peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB`,
        ],
      };
    } finally {
      await db.close();
      if (!options.keep) await database.drop();
    }
  },
};
