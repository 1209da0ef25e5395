import fs from 'node:fs';

/** A V8 `.cpuprofile` (what `node --cpu-prof` and the inspector's Profiler.stop write). */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Milliseconds sampled, idle excluded. */
  busyMs: number;
  idleMs: number;
  /** Self time by where the code lives: a package, a folder of the app, Node itself, GC; builtins charged to their caller. */
  byModule: Array<{ module: string; ms: number; share: number }>;
  /** Self time by function. */
  byFunction: Array<{ fn: string; module: string; ms: number; share: number }>;
  /** Time inside (self and below) each package or app folder, counted once per sample; Node's own modules left out. */
  inclusive: Array<{ module: string; ms: number; share: number }>;
}

/** Where a frame's code lives: `graphql`, `type-graphql`, `pg`, `app:src/children`, `node:http`, `(gc)`… */
export function moduleOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(program)' || functionName === '(idle)' || functionName === '(root)') return functionName;
    // Builtins without a script: JSON.parse/stringify, Array methods, RegExp…
    return `(v8 builtin)`;
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) {
    const parts = url.slice(5).split('/');
    return `node:${parts[0] === 'internal' ? parts.slice(1, 2).join('/').replace(/\.js$/, '') : parts[0].replace(/\.js$/, '')}`;
  }
  const app = /\/dist\/((?:src|seeds|tests)\/[^/]+)/.exec(url);
  if (app) return `app:${app[1].replace(/\.js$/, '')}`;
  return url.replace(/^file:\/\//, '');
}

/**
 * Self time of code without a script (V8 builtins and native bindings: JSON.stringify, writev,
 * RegExp…) is charged to the nearest caller that has one, so that "JSON" shows up under the
 * package that serialises; the microtask loop, GC and "(program)" stay on their own.
 */
function owner(id: number, byId: Map<number, CpuProfile['nodes'][number]>, parent: Map<number, number>): string {
  const frame = byId.get(id)!.callFrame;
  const own = moduleOf(frame.url, frame.functionName);
  if (own !== '(v8 builtin)' || frame.functionName === 'runMicrotasks') return own === '(v8 builtin)' ? '(microtasks)' : own;
  for (let cursor = parent.get(id); cursor !== undefined; cursor = parent.get(cursor)) {
    const f = byId.get(cursor)!.callFrame;
    const m = moduleOf(f.url, f.functionName);
    if (m === '(v8 builtin)') continue;
    if (m.startsWith('(')) break;
    return `${m} (native)`;
  }
  return '(v8 builtin)';
}

export function summariseProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const onStack = (id: number, test: (frame: CpuProfile['nodes'][number]['callFrame']) => boolean) => {
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) if (test(byId.get(cursor)!.callFrame)) return true;
    return false;
  };
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    // The first delta runs from Profiler.start to the first sample; samples inside the
    // inspector are the profiler being started and stopped.
    if (i === 0 || onStack(id, (f) => f.url === 'node:inspector')) return;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });

  let idleMs = 0;
  let busyMs = 0;
  const modules = new Map<string, number>();
  const functions = new Map<string, { module: string; ms: number }>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    const module = owner(id, byId, parent);
    if (module === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    modules.set(module, (modules.get(module) ?? 0) + ms);
    const file = frame.url.replace(/^.*\/(node_modules|dist)\//, '').replace(/^file:\/\//, '');
    const key = `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
    const entry = functions.get(key) ?? { module, ms: 0 };
    entry.ms += ms;
    functions.set(key, entry);
    // Inclusive: every package or app folder on this sample's stack, once.
    const seen = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const f = byId.get(cursor)!.callFrame;
      const m = moduleOf(f.url, f.functionName);
      if (m.startsWith('(') || m.startsWith('node:')) continue;
      if (!seen.has(m)) {
        seen.add(m);
        inclusive.set(m, (inclusive.get(m) ?? 0) + ms);
      }
    }
  }
  const share = (ms: number) => Number(((ms / busyMs) * 100).toFixed(1));
  const ms = (value: number) => Number(value.toFixed(1));
  return {
    busyMs: ms(busyMs),
    idleMs: ms(idleMs),
    byModule: [...modules].sort((a, b) => b[1] - a[1]).map(([module, t]) => ({ module, ms: ms(t), share: share(t) })),
    byFunction: [...functions].sort((a, b) => b[1].ms - a[1].ms).slice(0, top).map(([fn, e]) => ({ fn, module: e.module, ms: ms(e.ms), share: share(e.ms) })),
    inclusive: [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top).map(([module, t]) => ({ module, ms: ms(t), share: share(t) })),
  };
}

/** Lines for the report: modules by self time, then the top functions. */
export function profileLines(summary: ProfileSummary, modules = 15, functions = 20): string[] {
  const lines = [`CPU profile: ${(summary.busyMs / 1000).toFixed(2)} s busy, ${(summary.idleMs / 1000).toFixed(2)} s idle`];
  lines.push('  self time by module:');
  for (const m of summary.byModule.slice(0, modules)) lines.push(`    ${m.share.toFixed(1).padStart(5)} %  ${m.module}`);
  lines.push('  inclusive time (on the stack) by module:');
  for (const m of summary.inclusive.slice(0, modules)) lines.push(`    ${m.share.toFixed(1).padStart(5)} %  ${m.module}`);
  lines.push('  self time by function:');
  for (const f of summary.byFunction.slice(0, functions)) lines.push(`    ${f.share.toFixed(1).padStart(5)} %  ${f.fn}  [${f.module}]`);
  return lines;
}
