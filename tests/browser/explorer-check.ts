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
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

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

/** Debian's chromium, offline and headless: one browser serves every check, each in a context of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** Runs `work` in a new context (a fresh profile: no cookies, no storage) of `browser`, or of a browser of its own. */
async function inContext<T>(browser: Browser | undefined, viewport: { width: number; height: number }, work: (context: BrowserContext) => Promise<T>): Promise<T> {
  const owned = browser ? null : await launchChromium();
  const context = await (browser ?? owned)!.newContext({ viewport, locale: 'zh-CN' });
  try {
    return await work(context);
  } finally {
    await context.close();
    await owned?.close();
  }
}

export async function checkExplorer(url: string, screenshot: string, identity = 'demo-edu-analyst', token = process.env.TOKEN, browser?: Browser): Promise<ExplorerCheck> {
  const origin = new URL(url).origin;
  return inContext(browser, { width: 1440, height: 900 }, async (context) => {
    const outsideRequests: string[] = [];
    const consoleErrors: string[] = [];
    await context.route('**/*', (route) => {
      const target = route.request().url();
      if (target.startsWith(`${origin}/`) || target.startsWith('data:')) return route.continue();
      outsideRequests.push(target);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
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
  });
}

/**
 * Opens every example from the examples panel at a window `width` pixels wide and returns those
 * whose text does not fit the query or variables editor (a line cut off at the right edge), with
 * how wide the text is against the editor.
 */
export async function examplesCutOff(url: string, width: number, screenshot?: string, browser?: Browser): Promise<string[]> {
  return inContext(browser, { width, height: 900 }, async (context) => {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('button[data-example]', { timeout: 30_000 });
    const examples = await page.$eval('#bx-settings', (node) => (JSON.parse(node.textContent!) as { examples: Array<{ id: string; query: string; variables?: string }> }).examples);
    const cut: string[] = [];
    for (const example of examples) {
      await page.click(`button[data-example="${example.id}"]`);
      // The example opens in the current tab or a new one: wait until the editors show it, then for
      // two frames, by which CodeMirror has laid it out.
      await page.waitForFunction((shown) => {
        const values = (selector: string) => Array.from(document.querySelectorAll(selector), (node) => (node as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue().trim());
        return values('.graphiql-query-editor .CodeMirror').includes(shown.query.trim())
          && (!shown.variables || values('.graphiql-editor-tool .CodeMirror').includes(shown.variables.trim()));
      }, example, { timeout: 15_000 });
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      const overflow = await page.$$eval('.graphiql-query-editor .CodeMirror, .graphiql-editor-tool .CodeMirror', (nodes) =>
        nodes
          .map((node) => (node as unknown as { CodeMirror: { getScrollInfo(): { width: number; clientWidth: number }; getValue(): string } }).CodeMirror)
          .filter((cm) => cm.getValue().length > 0 && cm.getScrollInfo().width > cm.getScrollInfo().clientWidth + 1)
          .map((cm) => `${cm.getScrollInfo().width} px of text in ${cm.getScrollInfo().clientWidth} px`));
      if (overflow.length) cut.push(`${example.id}: ${overflow.join(', ')}`);
      if (screenshot && example.id === 'child') await page.screenshot({ path: screenshot });
    }
    return cut;
  });
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
