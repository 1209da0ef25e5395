import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { checkExplorer, examplesCutOff, launchChromium } from '../browser/explorer-check';
import { startTestHub, type TestHub } from '../support/hub';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../artifacts');
// CI installs Debian's chromium (.ci/run); elsewhere, without it, say so instead of failing.
const haveBrowser = fs.existsSync(CHROMIUM) || process.env.CI === 'true';
if (!haveBrowser) process.stderr.write(`\n*** ${CHROMIUM} is missing: the browser test of the explorer is SKIPPED (apt-get install chromium). ***\n`);

let hub: TestHub;
// One chromium for the file; each check opens a context of its own in it (a fresh profile).
let browser: Browser | undefined;
beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // Development mode: the explorer offers the demo identities, signed by the test's key.
  [hub, browser] = await Promise.all([startTestHub({ env: { NODE_ENV: 'development' } }), haveBrowser ? launchChromium() : undefined]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

(haveBrowser ? it : it.skip)('runs the explorer offline in a real browser: pick a demo identity, run an example', async () => {
  const result = await checkExplorer(`${hub.url}/graphql`, path.join(ARTIFACTS, 'explorer.png'), 'demo-edu-analyst', undefined, browser);
  expect(result.outsideRequests).toEqual([]);
  expect(result.consoleErrors).toEqual([]);
  expect(result.headers).toMatch(/"Authorization": "Bearer [\w-]+\.[\w-]+\.[\w-]+"/);
  expect(result.response.errors).toBeUndefined();
  expect(result.response.data?.me).toMatchObject({ sub: 'demo-edu-analyst', dept: 'EDU' });
  expect(fs.statSync(path.join(ARTIFACTS, 'explorer.png')).size).toBeGreaterThan(10_000);
}, 120_000);

(haveBrowser ? it : it.skip)('shows every example whole at 1400 px and at 1024 px: no line of a query or its variables is cut off', async () => {
  for (const width of [1400, 1024]) {
    expect({ width, cut: await examplesCutOff(`${hub.url}/graphql`, width, width === 1400 ? path.join(ARTIFACTS, 'explorer-child-1400.png') : undefined, browser) }).toEqual({ width, cut: [] });
  }
}, 180_000);
