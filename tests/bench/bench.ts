/**
 * The shape every benchmark case shares. A case is measured side by side with its own baseline in
 * the same run (the machine is shared and noisy), so what it reports are ratios with the figures
 * they come from, and the targets of issue 6 they answer to.
 */
export interface BenchOptions {
  /** Children seeded into the benchmark database. */
  readonly children: number;
  /** Seconds of load for each measured run. */
  readonly duration: number;
  /** Each measured duration is split into this many rounds, alternating between the servers compared. */
  readonly rounds: number;
  /** Seconds of unmeasured load before each measured run, so that the JIT has warmed up. */
  readonly warmup: number;
  readonly concurrency: readonly number[];
  readonly smoke: boolean;
  /** Keep the benchmark database at the end (for looking at it, or for `--database`). */
  readonly keep: boolean;
  /** Case names to run; null means every case. */
  readonly only: readonly string[] | null;
  /** Node flags of the hub's processes: `npm start`'s, then the experiment's (`--hub-flags`). */
  readonly hubFlags: readonly string[];
  /** Those given with `--hub-flags` alone: a run with any leaves latest.json as it is. */
  readonly experimentFlags: readonly string[];
  /** Seconds of CPU profile of the hub under load at the highest concurrency; 0 for none. */
  readonly profileSeconds: number;
  /** An existing benchmark database to read instead of creating and seeding one (kept at the end). */
  readonly reuse: string | null;
  /** Children in the large database of the growth case (seeded like the other, with the same seed). */
  readonly largeChildren: number;
  /** An existing large database for the growth and statistics cases, kept by an earlier run (`--keep`) or a copy of one. */
  readonly reuseLarge: string | null;
  /** Server to create the benchmark database on (its own database is only used to connect). */
  readonly serverUrl: string;
  readonly seed: number;
}

/** The seeded PostgreSQL database every case that reads shares. */
export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  readonly children: number;
  readonly dropoutCases: number;
  /** The county with the most children in scope (hukou or residence there): the page is read there. */
  readonly county: { code: string; name: string; children: number };
  readonly seedSeconds: number;
}

export interface BenchContext {
  readonly options: BenchOptions;
  /** Null when no case of the run needs it. */
  readonly database: BenchDatabase | null;
  /** Where profiles and other large artefacts of this run go (under .bench/). */
  readonly artefactDir: string;
  /** The repository, to name artefacts relative to it in the results. */
  readonly root: string;
  log(line: string): void;
}

export type Cell = string | number | null;

/** A figure with the target of issue 6 it answers to. */
export interface TargetCheck {
  readonly what: string;
  readonly value: number;
  readonly target: string;
  readonly met: boolean;
}

export interface CaseResult {
  /** Printed as a table and stored as is. */
  readonly table: { readonly columns: readonly string[]; readonly rows: ReadonlyArray<readonly Cell[]> };
  readonly targets: readonly TargetCheck[];
  /** Everything else worth keeping: raw load results, counts, settings. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Free-text lines printed under the table (profile summaries, caveats). */
  readonly notes?: readonly string[];
}

export interface BenchCase {
  /** Used with `--only` and as the key in the JSON. */
  readonly name: string;
  readonly title: string;
  /** Reads the seeded PostgreSQL database (the run creates and seeds it only if some case does). */
  readonly needsDatabase: boolean;
  run(context: BenchContext): Promise<CaseResult>;
}

export const round = (value: number, digits = 2): number => Number.isFinite(value) ? Number(value.toFixed(digits)) : value;

export function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? Number.NaN : round(numerator / denominator, 3);
}

export class BenchFailure extends Error {}
