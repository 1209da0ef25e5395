/**
 * Opens the explorer in Debian's chromium (never a downloaded browser), picks a demo identity (or
 * pastes TOKEN when the server offers none), runs the `me` example and takes a screenshot.
 * Every request outside the page's origin is refused and counted as a failure: the explorer must
 * work with the network cable pulled.
 *
 *   npx ts-node --transpile-only tests/browser/explorer-check.ts http://127.0.0.1:4300/graphql /tmp/explorer.png [demo-sub]
 *
 * Exit code 0 when the `me` answer names the chosen identity and nothing went wrong on the page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';

export interface ExplorerCheck {
  readonly outsideRequests: string[];
  readonly consoleErrors: string[];
  readonly headers: string;
  readonly response: { data?: { me?: { sub: string } }; errors?: unknown[] };
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The values of the CodeMirror editors on the page, in document order. */
async function editorValues(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(`${selector} .CodeMirror`, (nodes) =>
    nodes.map((node) => (node as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue()),
  );
}

export async function checkExplorer(url: string, screenshot: string, identity = 'demo-edu-analyst', token = process.env.TOKEN): Promise<ExplorerCheck> {
  const origin = new URL(url).origin;
  const profile = mkdtempSync(path.join(os.tmpdir(), 'baoxue-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timeout: 60_000,
  });
  const outsideRequests: string[] = [];
  const consoleErrors: string[] = [];
  try {
    await context.route('**/*', (route) => {
      const target = route.request().url();
      if (target.startsWith(`${origin}/`) || target.startsWith('data:')) return route.continue();
      outsideRequests.push(target);
      return route.abort('internetdisconnected');
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      // Long messages (a blocked data: URL quotes all of it) are cut short; repeats are dropped.
      const text = message.text().replace(/data:([\w/+.-]+);base64,[^' ]+/g, 'data:$1;base64,…').slice(0, 300);
      if (message.type() === 'error' && !consoleErrors.includes(text)) consoleErrors.push(text);
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));

    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror', { timeout: 30_000 });

    if (await page.$('#bx-identity')) {
      await page.waitForSelector('#bx-identity:not([disabled])', { timeout: 15_000 });
      await page.selectOption('#bx-identity', identity);
    } else {
      if (!token) throw new Error('this server offers no demo identities: pass a token in TOKEN');
      await page.fill('#bx-token', token);
      await page.press('#bx-token', 'Tab');
    }

    await page.click('button[data-example="me"]');
    await page.waitForFunction(() => {
      const node = document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as { CodeMirror: { getValue(): string } } | null;
      return node?.CodeMirror.getValue().includes('query WhoAmI');
    });
    // Show the headers editor, so that the screenshot shows the token that is sent.
    const headersTab = page.getByRole('tab', { name: /headers/i });
    if (await headersTab.count()) await headersTab.first().click();
    const headers = (await editorValues(page, '.graphiql-editor-tool')).find((value) => value.includes('Authorization')) ?? '';

    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => {
      const node = document.querySelector('.graphiql-response .CodeMirror') as unknown as { CodeMirror: { getValue(): string } } | null;
      return /"(data|errors)"/.test(node?.CodeMirror.getValue() ?? '');
    }, undefined, { timeout: 20_000 });
    const [responseText] = await editorValues(page, '.graphiql-response');
    await page.screenshot({ path: screenshot });
    return { outsideRequests, consoleErrors, headers, response: JSON.parse(responseText) };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * Opens every example from the examples panel at a window `width` pixels wide and returns those
 * whose text does not fit the query or variables editor (a line cut off at the right edge), with
 * how wide the text is against the editor.
 */
export async function examplesCutOff(url: string, width: number, screenshot?: string): Promise<string[]> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'baoxue-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width, height: 900 }, locale: 'zh-CN', timeout: 60_000,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('button[data-example]', { timeout: 30_000 });
    const ids = await page.$$eval('button[data-example]', (buttons) => buttons.map((b) => b.getAttribute('data-example')!));
    const cut: string[] = [];
    for (const id of ids) {
      await page.click(`button[data-example="${id}"]`);
      // The example opens in the current tab or a new one; wait until the editor shows it.
      await page.waitForTimeout(300);
      const overflow = await page.$$eval('.graphiql-query-editor .CodeMirror, .graphiql-editor-tool .CodeMirror', (nodes) =>
        nodes
          .map((node) => (node as unknown as { CodeMirror: { getScrollInfo(): { width: number; clientWidth: number }; getValue(): string } }).CodeMirror)
          .filter((cm) => cm.getValue().length > 0 && cm.getScrollInfo().width > cm.getScrollInfo().clientWidth + 1)
          .map((cm) => `${cm.getScrollInfo().width} px of text in ${cm.getScrollInfo().clientWidth} px`));
      if (overflow.length) cut.push(`${id}: ${overflow.join(', ')}`);
      if (screenshot && id === 'child') await page.screenshot({ path: screenshot });
    }
    return cut;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [url = 'http://127.0.0.1:4000/graphql', screenshot = path.join(os.tmpdir(), 'explorer.png'), identity] = process.argv.slice(2);
  const result = await checkExplorer(url, screenshot, identity);
  const expected = identity ?? 'demo-edu-analyst';
  const problems = [
    ...result.outsideRequests.map((r) => `request outside the origin: ${r}`),
    ...result.consoleErrors.map((e) => `console: ${e}`),
    ...(result.headers.includes('Bearer ') ? [] : ['the headers editor shows no Authorization: Bearer …']),
    ...(process.env.TOKEN || result.response.data?.me?.sub === expected ? [] : [`me.sub is ${JSON.stringify(result.response.data?.me?.sub)}, expected ${expected}`]),
    ...(result.response.errors ? [`errors: ${JSON.stringify(result.response.errors)}`] : []),
  ];
  process.stdout.write(`${JSON.stringify({ screenshot, me: result.response.data?.me ?? null, problems }, null, 2)}\n`);
  process.exitCode = problems.length ? 1 : 0;
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`explorer check failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
