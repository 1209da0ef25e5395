import type http from 'node:http';
import { Script } from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { getVariableValues, Kind, type OperationDefinitionNode, parse, validate } from 'graphql';
import { ageOn } from '../children/child.validation';
import { idNumberProblem, parseIdNumber } from '../children/id-number';
import { Clock } from '../core/clock';
import { buildHubSchema } from '../schema';
import { DEMO_RECORD_CHILD_ID, explorerExamples, explorerPage, serveExplorerAsset } from './explorer';

interface Captured {
  status?: number;
  headers: Record<string, string | number>;
  body?: Buffer;
}

/** Enough of a ServerResponse for serveExplorerAsset, recording what it was given. */
function fakeResponse(acceptEncoding?: string): { res: http.ServerResponse; out: Captured } {
  const out: Captured = { headers: {} };
  const res = {
    req: { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} },
    writeHead(status: number, headers: Record<string, string | number>) {
      out.status = status;
      out.headers = headers;
      return this;
    },
    end(body?: Buffer) {
      out.body = body;
      return this;
    },
  };
  return { res: res as unknown as http.ServerResponse, out };
}

const settingsOf = (page: string) => JSON.parse(/<script type="application\/json" id="bx-settings">([^<]*)<\/script>/.exec(page)![1]);
const referencesOf = (page: string) => [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);

describe('explorer examples', () => {
  const schema = buildHubSchema();
  const examples = explorerExamples('2026-11-29');

  it('offers five to ten examples (three of them statistics), each a named operation with Chinese and English comments', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    expect(examples.length).toBeLessThanOrEqual(10);
    expect(examples.filter((e) => /^\s*statistics\(/m.test(e.query))).toHaveLength(3);
    expect(new Set(examples.map((e) => e.id)).size).toBe(examples.length);
    for (const example of examples) {
      expect(example.query).toMatch(/^# .*\p{Script=Han}/mu);
      expect(example.query).toMatch(/^# [A-Z][a-z]/m);
    }
  });

  it.each(explorerExamples('2026-11-29').map((e) => [e.id, e] as const))('%s parses, validates and its variables fit', (_id, example) => {
    const document = parse(example.query);
    expect(validate(schema, document)).toEqual([]);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations).toHaveLength(1);
    expect(operations[0].name?.value).toBeTruthy();
    const variables = example.variables === undefined ? {} : JSON.parse(example.variables);
    const coerced = getVariableValues(schema, operations[0].variableDefinitions ?? [], variables);
    expect(coerced.errors ?? []).toEqual([]);
  });

  it('registers a child of about ten with a valid ID number matching birth date and gender', () => {
    for (const today of ['2026-11-29', '2027-03-01', '2031-09-01']) {
      const register = explorerExamples(today).find((e) => e.id === 'register-children')!;
      const [record] = JSON.parse(register.variables!).records;
      expect(idNumberProblem(record.idNumber)).toBeNull();
      expect(parseIdNumber(record.idNumber)).toEqual({ addressCode: '350102', birthDate: record.birthDate, gender: record.gender });
      expect(ageOn(record.birthDate, new Clock(today).schoolYearStart())).toBe(10);
    }
  });

  it('reads and writes a child of the demo data in the record and education examples, not the one registration registers', () => {
    const byId = Object.fromEntries(examples.map((e) => [e.id, JSON.parse(e.variables ?? '{}')]));
    expect(byId.child.id).toBe(DEMO_RECORD_CHILD_ID);
    expect(byId['upsert-education'].records[0].childId).toBe(DEMO_RECORD_CHILD_ID);
    expect(byId['register-children'].records[0].id).not.toBe(DEMO_RECORD_CHILD_ID);
  });
});

describe('explorer page', () => {
  const demo = explorerPage({ demoTokens: true });
  const plain = explorerPage({ demoTokens: false });

  it('has the bilingual title and the identity control that fits the mode', () => {
    for (const page of [demo, plain]) expect(page).toContain('<title>保学 Baoxue 数据交换枢纽 · GraphQL 查询器</title>');
    expect(demo).toContain('id="bx-identity"');
    expect(settingsOf(demo).demoTokensUrl).toBe('/explorer/demo-tokens');
    expect(plain).toContain('id="bx-token"');
    expect(plain).not.toContain('/explorer/demo-tokens');
    expect(settingsOf(plain).demoTokensUrl).toBeNull();
  });

  it('carries the examples as data, with no inline script to run', () => {
    expect(settingsOf(demo).examples).toEqual(explorerExamples());
    const inline = [...demo.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]);
    expect(inline).toEqual([' type="application/json" id="bx-settings"']);
  });

  it('references nothing outside its own origin', () => {
    for (const page of [demo, plain]) {
      expect(page.match(/(?:https?:)?\/\/[\w.-]+/g)).toBeNull();
      for (const ref of referencesOf(page)) expect(ref).toMatch(/^\/explorer\/assets\/[\w.-]+$/);
    }
  });

  it('serves every file the page references, with its type and a long cache life', () => {
    const refs = referencesOf(demo);
    expect(refs).toHaveLength(7);
    for (const ref of refs) {
      const { res, out } = fakeResponse();
      expect(serveExplorerAsset(ref, res)).toBe(true);
      expect(out.status).toBe(200);
      expect(out.headers['content-type']).toMatch(ref.endsWith('.js') ? /^text\/javascript/ : ref.endsWith('.css') ? /^text\/css/ : /^image\/svg\+xml$/);
      expect(out.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(out.body!.length).toBeGreaterThan(100);
      expect(out.headers['content-length']).toBe(out.body!.length);
    }
  });

  it('serves every file the style sheets refer to, GraphiQL\'s inlined fonts included', () => {
    const sheets = referencesOf(demo).filter((r) => r.endsWith('.css'));
    const inner = sheets.flatMap((ref) => {
      const { res, out } = fakeResponse();
      serveExplorerAsset(ref, res);
      return [...out.body!.toString('utf8').matchAll(/url\(["']?([^)"']+)["']?\)/g)].map((m) => m[1]);
    });
    expect(inner.filter((url) => url.startsWith('data:'))).toEqual([]);
    expect(inner.filter((url) => url.endsWith('.woff2')).length).toBeGreaterThan(10);
    for (const url of new Set(inner)) {
      const { res, out } = fakeResponse('gzip');
      expect(serveExplorerAsset(url, res)).toBe(true);
      expect(out.headers['content-type']).toBe({ woff2: 'font/woff2', woff: 'font/woff', png: 'image/png' }[url.split('.').pop()!]);
      expect(out.headers['content-encoding']).toBeUndefined();
    }
  });

  it('serves the page script and style that contain no outside address and parse', () => {
    for (const ref of referencesOf(demo).filter((r) => /\/explorer-[0-9a-f]+\.(js|css)$/.test(r))) {
      const { res, out } = fakeResponse();
      serveExplorerAsset(ref, res);
      const text = out.body!.toString('utf8');
      expect(text.match(/(?:https?:)?\/\/[\w-]+\.[\w.-]+/g)).toBeNull();
      if (ref.endsWith('.js')) expect(() => new Script(text)).not.toThrow();
    }
  });

  it('compresses for browsers that accept gzip', () => {
    const ref = referencesOf(demo).find((r) => r.includes('graphiql-') && r.endsWith('.js'))!;
    const plainResponse = fakeResponse('identity');
    serveExplorerAsset(ref, plainResponse.res);
    const zipped = fakeResponse('gzip, deflate, br');
    serveExplorerAsset(ref, zipped.res);
    expect(zipped.out.headers['content-encoding']).toBe('gzip');
    expect(plainResponse.out.headers['content-encoding']).toBeUndefined();
    expect(gunzipSync(zipped.out.body!).equals(plainResponse.out.body!)).toBe(true);
    const refused = fakeResponse('gzip;q=0');
    serveExplorerAsset(ref, refused.res);
    expect(refused.out.headers['content-encoding']).toBeUndefined();
  });

  it.each([
    '/explorer/assets/../../package.json',
    '/explorer/assets/%2e%2e/%2e%2e/package.json',
    '/explorer/assets/..%2f..%2fpackage.json',
    '/explorer/assets/',
    '/explorer/assets/explorer.js',
    '/explorer/assets/react.production.min.js',
    '/explorer/assets/graphiql.min.js.map',
    '/explorer/demo-tokens',
    '/package.json',
  ])('refuses %s and writes nothing', (pathname) => {
    const { res, out } = fakeResponse();
    expect(serveExplorerAsset(pathname, res)).toBe(false);
    expect(out.status).toBeUndefined();
    expect(out.body).toBeUndefined();
  });
});
