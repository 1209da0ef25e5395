#!/usr/bin/env node
/**
 * Brings dist/ up to date with the TypeScript sources, and says so on stderr: `npm start` and the
 * other CLI scripts run it before `exec node dist/…`, and `prepare` runs it at `npm install`, so
 * that a start finds dist/ current and pays only an up-to-date check instead of a full compile
 * (about 20 s). Plain JavaScript, since it runs before anything is compiled.
 *
 * The check: when nothing under the compiled folders (files, or directories, whose times change
 * when an entry is added or removed), tsconfig.json or package-lock.json is newer than the stamp
 * this script leaves after a good build, dist/ is current (a few milliseconds). Otherwise tsc's
 * build mode decides, and compiles what changed (loading TypeScript alone takes half a second).
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const say = (line) => process.stderr.write(`${line}\n`);
const STAMP = path.join(root, 'dist', '.built');
/** tsconfig.json's "include", as folders, and what else the output depends on. */
const INPUTS = ['src', 'seeds', 'tests/bench', 'tsconfig.json', 'package-lock.json'];

function newestTime(file) {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(file).reduce((newest, entry) => Math.max(newest, newestTime(path.join(file, entry))), stat.mtimeMs);
}

function upToDate() {
  const stamp = fs.statSync(STAMP, { throwIfNoEntry: false });
  return stamp !== undefined && INPUTS.every((input) => newestTime(path.join(root, input)) < stamp.mtimeMs);
}

if (upToDate()) {
  say('build: dist/ is up to date');
  process.exit(0);
}

let ts;
try {
  ts = require('typescript');
} catch {
  // An install without the dev dependencies (npm ci --omit=dev) runs what was built elsewhere.
  if (fs.existsSync(path.join(root, 'dist/src/main.js'))) {
    say('build: typescript is not installed; using dist/ as it is');
    process.exit(0);
  }
  if (process.env.npm_lifecycle_event === 'prepare') process.exit(0);
  say('build: dist/ is missing and typescript is not installed: run `npm ci` (with the dev dependencies) first');
  process.exit(1);
}

const started = Date.now();
const host = ts.createSolutionBuilderHost(ts.sys, undefined, (diagnostic) =>
  process.stderr.write(ts.formatDiagnosticsWithColorAndContext([diagnostic], { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' })),
);
const builder = ts.createSolutionBuilder(host, [path.join(root, 'tsconfig.json')], {});
let status = 0;
let built = false;
for (let project = builder.getNextInvalidatedProject(); project; project = builder.getNextInvalidatedProject()) {
  if (project.kind === ts.InvalidatedProjectKind.Build && !built) {
    built = true;
    say('build: compiling the TypeScript sources into dist/ (tsc --build; about 20 s when everything changed)…');
  }
  status = Math.max(status, project.done());
}
if (status !== 0) {
  say('build: the TypeScript sources have errors (above); dist/ was not brought up to date');
  process.exit(1);
}
// Stamped with the time the check began, so that a source saved while tsc ran counts as newer.
fs.writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
fs.utimesSync(STAMP, new Date(started), new Date(started));
say(built ? `build: dist/ compiled in ${((Date.now() - started) / 1000).toFixed(1)} s` : 'build: dist/ is up to date');
