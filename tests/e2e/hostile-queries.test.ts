import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, target, type TestHub } from '../support/hub';

/**
 * Issue 3, "Hostile queries": over a thousand generated requests that try to break the hub by
 * size, depth, recursion, repetition or malformation. Each must get a clear coded error of its
 * kind, never INTERNAL_SERVER_ERROR, no "Did you mean" and no stack or file path; afterwards
 * the hub still answers an ordinary query correctly.
 */

type Kind =
  | 'depth' | 'aliases' | 'text' | 'cycles' | 'variables' | 'introspection' | 'misspelled'
  | 'directives' | 'rootFields' | 'cost' | 'tokens' | 'syntax' | 'transport' | 'operation' | 'anonymous';

const ACCEPTED: Record<Kind, readonly string[]> = {
  depth: ['QUERY_TOO_COMPLEX', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED'],
  aliases: ['QUERY_TOO_COMPLEX'],
  text: ['QUERY_TOO_COMPLEX', 'GRAPHQL_VALIDATION_FAILED'],
  cycles: ['GRAPHQL_VALIDATION_FAILED', 'QUERY_TOO_COMPLEX'],
  variables: ['QUERY_TOO_COMPLEX', 'GRAPHQL_VALIDATION_FAILED'],
  introspection: ['QUERY_TOO_COMPLEX', 'GRAPHQL_VALIDATION_FAILED'],
  misspelled: ['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT'],
  directives: ['QUERY_TOO_COMPLEX', 'GRAPHQL_VALIDATION_FAILED'],
  rootFields: ['QUERY_TOO_COMPLEX'],
  cost: ['QUERY_TOO_COMPLEX', 'BAD_USER_INPUT'],
  tokens: ['QUERY_TOO_COMPLEX'],
  // Some garbage parses but is not executable (a type extension).
  syntax: ['GRAPHQL_PARSE_FAILED', 'QUERY_TOO_COMPLEX', 'GRAPHQL_VALIDATION_FAILED'],
  transport: ['BAD_REQUEST'],
  operation: ['OPERATION_RESOLUTION_FAILURE', 'BAD_REQUEST', 'GRAPHQL_VALIDATION_FAILED', 'PERSISTED_QUERY_NOT_FOUND'],
  anonymous: ['UNAUTHENTICATED', 'QUERY_TOO_COMPLEX', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED'],
};

interface Case {
  kind: Kind;
  name: string;
  query?: string;
  variables?: unknown;
  /** A raw body instead of `{ query, variables }`. */
  body?: string;
  method?: 'GET' | 'POST';
  search?: string;
  headers?: Record<string, string>;
  anonymous?: boolean;
  status?: number;
}

const range = (from: number, to: number, count: number) =>
  [...new Set(Array.from({ length: count }, (_, i) => Math.round(from + ((to - from) * i) / Math.max(1, count - 1))))];
const times = (n: number, make: (i: number) => string, separator = ' ') => Array.from({ length: n }, (_, i) => make(i)).join(separator);
const nest = (n: number, open: (i: number) => string, inner: string) => `${times(n, open)} ${inner} ${'}'.repeat(n)}`;
const misspell = (name: string): string[] => [
  name.slice(0, 1) + name.slice(2),
  name.slice(1, 2) + name.slice(0, 1) + name.slice(2),
  `${name}x`,
  name.slice(0, -1),
].filter((m, i, all) => m !== name && m.length > 0 && all.indexOf(m) === i);

/** Where each object type can be reached from, to put a misspelled field on it. */
const PATHS: Record<string, (selection: string) => string> = {
  Query: (s) => `{ ${s} }`,
  Me: (s) => `{ me { ${s} } }`,
  Region: (s) => `{ regions { ${s} } }`,
  Child: (s) => `{ child(id: "00000000-0000-0000-0000-000000000000") { ${s} } }`,
  ChildConnection: (s) => `{ children { ${s} } }`,
  EducationRecord: (s) => `{ child(id: "00000000-0000-0000-0000-000000000000") { education { ${s} } } }`,
  PublicSecurityRecord: (s) => `{ child(id: "00000000-0000-0000-0000-000000000000") { publicSecurity { ${s} } } }`,
  CivilAffairsRecord: (s) => `{ child(id: "00000000-0000-0000-0000-000000000000") { civilAffairs { ${s} } } }`,
  PovertyRecord: (s) => `{ child(id: "00000000-0000-0000-0000-000000000000") { poverty { ${s} } } }`,
  HealthRecord: (s) => `{ child(id: "00000000-0000-0000-0000-000000000000") { health { ${s} } } }`,
  DisabilityRecord: (s) => `{ child(id: "00000000-0000-0000-0000-000000000000") { disability { ${s} } } }`,
  DropoutCase: (s) => `{ child(id: "00000000-0000-0000-0000-000000000000") { dropoutCases { ${s} } } }`,
  ChangeLogEntry: (s) => `{ changeLog { edges { node { ${s} } } } }`,
  Mutation: (s) => `mutation { ${s} }`,
};
const FIELDS: Record<string, string[]> = {
  Query: ['children', 'child', 'childByIdNumber', 'regions', 'changeLog', 'verifyChangeLog', 'me'],
  Me: ['sub', 'dept', 'deptName', 'roles', 'region', 'permissions'],
  Region: ['code', 'name', 'level', 'parentCode'],
  Child: ['idNumber', 'name', 'gender', 'birthDate', 'hukouRegion', 'residenceRegion', 'education', 'publicSecurity', 'civilAffairs', 'poverty', 'health', 'disability', 'dropoutCases', 'changes', 'version', 'createdAt', 'updatedAt'],
  ChildConnection: ['edges', 'pageInfo', 'totalCount'],
  EducationRecord: ['status', 'stage', 'grade', 'schoolName', 'version', 'updatedAt', 'updatedBy'],
  PublicSecurityRecord: ['hukouStatus', 'whereabouts', 'verifiedOn'],
  CivilAffairsRecord: ['leftBehind', 'deFactoUnsupported', 'migrant', 'parentImprisoned', 'orphan', 'subsistenceAllowance'],
  PovertyRecord: ['registeredPoor', 'monitoredHousehold', 'householdId'],
  HealthRecord: ['seriousIllness', 'diagnosisSummary', 'screenedOn'],
  DisabilityRecord: ['disabilityType', 'disabilityLevel', 'certificateNo'],
  DropoutCase: ['reason', 'status', 'openedOn', 'closedOn', 'notes'],
  ChangeLogEntry: ['seq', 'entity', 'operation', 'actorSub', 'changes', 'requestId'],
  Mutation: ['registerChildren', 'upsertEducationRecords', 'upsertPublicSecurityRecords', 'upsertCivilAffairsRecords', 'upsertPovertyRecords', 'upsertHealthRecords', 'upsertDisabilityRecords'],
};
const SCHOOL_STATUSES = ['ENROLLED', 'DROPPED_OUT', 'SUSPENDED', 'DEFERRED', 'STUDYING_ELSEWHERE', 'SPECIAL_SCHOOL', 'MAINSTREAM_INCLUSION', 'HOME_TEACHING'];
const FILTER_FIELDS = ['region', 'schoolStatus', 'stage', 'specialGroups', 'registeredPoor', 'hasSeriousIllness', 'hasDisability', 'hasOpenDropoutCase'];

function depthCases(): Case[] {
  const cases: Case[] = [];
  for (const n of range(13, 200, 20)) {
    cases.push({ kind: 'depth', name: `${n} inline fragments on Query`, query: `{ ${nest(n, () => '... on Query {', '__typename')} }` });
    cases.push({ kind: 'depth', name: `${n} untyped inline fragments`, query: `{ me { ${nest(n, () => '... {', 'sub')} } }` });
    cases.push({ kind: 'depth', name: `${n} inline fragments under a child`, query: `{ children(first: 1) { edges { node { ${nest(n, () => '... on Child {', 'name __typename')} } } } }` });
  }
  for (const n of range(13, 200, 15)) {
    const chain = times(n, (i) => `fragment F${i} on Query { ${i < n - 1 ? `...F${i + 1}` : 'me { sub }'} }`, '\n');
    cases.push({ kind: 'depth', name: `a chain of ${n} named fragments`, query: `query Deep { ...F0 }\n${chain}` });
    const mixed = times(n, (i) => `fragment M${i} on Me { ... on Me { ${i < n - 1 ? `...M${i + 1}` : 'sub'} } }`, '\n');
    cases.push({ kind: 'depth', name: `${n} named fragments with inline fragments`, query: `{ me { ...M0 } }\n${mixed}` });
  }
  for (const n of range(20, 200, 10)) {
    cases.push({ kind: 'depth', name: `${n} levels of invalid selections on a leaf`, query: `{ me { ${nest(n, () => 'sub {', 'sub')} } }` });
    cases.push({ kind: 'depth', name: `${n} levels of hukouRegion`, query: `{ children { edges { node { ${nest(n, () => 'hukouRegion {', 'code')} } } } }` });
    cases.push({ kind: 'depth', name: `${n} levels of change entries`, query: `{ changeLog { edges { node { ${nest(n, () => 'changes {', 'field')} } } } }` });
  }
  for (const n of range(100, 1200, 8)) cases.push({ kind: 'depth', name: `${n} bare braces`, query: `${'{'.repeat(n)}${'}'.repeat(n)}` });
  return cases;
}

function aliasCases(): Case[] {
  const cases: Case[] = [];
  for (const n of range(31, 500, 25)) {
    cases.push({ kind: 'aliases', name: `${n} aliases of me.sub`, query: `{ me { ${times(n, (i) => `a${i}: sub`)} } }` });
    cases.push({ kind: 'aliases', name: `${n} aliases of __typename`, query: `{ ${times(n, (i) => `t${i}: __typename`)} }` });
    cases.push({ kind: 'aliases', name: `${n} aliases in a fragment spread twice`, query: `{ me { ...A ...B } } fragment A on Me { ${times(Math.ceil(n / 2), (i) => `x${i}: dept`)} } fragment B on Me { ...A }` });
  }
  return cases;
}

function textCases(): Case[] {
  const cases: Case[] = [];
  for (const size of range(15_000, 60_000, 8)) {
    cases.push({ kind: 'text', name: `${size} characters of one field name`, query: `{ me { ${'s'.repeat(size)} } }` });
    cases.push({ kind: 'text', name: `${size} characters of a string argument to a misspelled field`, query: `{ childByIdNumbr(idNumber: "${'3'.repeat(size)}") { id } }` });
    cases.push({ kind: 'text', name: `${size} characters of comments before an unknown field`, query: `${'# hostile comment line\n'.repeat(Math.ceil(size / 23))}{ me { nothing } }` });
    cases.push({ kind: 'text', name: `${size} characters of operation name and an unknown field`, query: `query ${'Q'.repeat(size)} { unknownField }` });
    cases.push({ kind: 'text', name: `${size} characters of one alias repeated`, query: `{ me { ${'s: sub '.repeat(Math.ceil(size / 7))} } }` });
    cases.push({ kind: 'text', name: `${size} characters of a block string to an unknown argument`, query: `{ me(note: """${'x'.repeat(size)}""") { sub } }` });
  }
  return cases;
}

function cycleCases(): Case[] {
  const cases: Case[] = [];
  for (const n of range(1, 60, 20)) {
    const ring = (on: string, body: (i: number) => string) => times(n, (i) => `fragment C${i} on ${on} { ${body(i)} }`, '\n');
    cases.push({ kind: 'cycles', name: `a ring of ${n} fragments on Query`, query: `{ ...C0 }\n${ring('Query', (i) => `__typename ...C${(i + 1) % n}`)}` });
    cases.push({ kind: 'cycles', name: `a ring of ${n} fragments on Child through inline fragments`, query: `{ children { edges { node { ...C0 } } } }\n${ring('Child', (i) => `name ... on Child { ...C${(i + 1) % n} }`)}` });
    cases.push({ kind: 'cycles', name: `a ring of ${n} fragments on Region with doubled spreads`, query: `{ regions { ...C0 } }\n${ring('Region', (i) => `code ...C${(i + 1) % n} ...C${(i + 1) % n}`)}` });
    cases.push({ kind: 'cycles', name: `a ring of ${n} fragments on Me, spread from an alias`, query: `{ m: me { ...C0 } }\n${ring('Me', (i) => `sub ...C${(i + 1) % n}`)}` });
  }
  return cases;
}

function variableCases(): Case[] {
  const cases: Case[] = [];
  for (const n of range(51, 2000, 20)) {
    cases.push({ kind: 'variables', name: `${n} declared variables`, query: `query Many(${times(n, (i) => `$v${i}: Int`, ', ')}) { me { sub } }` });
  }
  for (const n of range(51, 5000, 20)) {
    cases.push({ kind: 'variables', name: `${n} variables sent`, query: 'query { me { sub } }', variables: Object.fromEntries(Array.from({ length: n }, (_, i) => [`v${i}`, i])) });
  }
  for (const n of [...range(1001, 50_000, 20), 50_000]) {
    cases.push({ kind: 'variables', name: `a list of ${n} records`, query: REGISTER, variables: { records: Array.from({ length: n }, () => ({})) } });
  }
  for (const n of range(1001, 50_000, 10)) {
    cases.push({ kind: 'variables', name: `a filter with ${n} school statuses`, query: 'query($f: ChildFilter) { children(filter: $f) { totalCount } }', variables: { f: { schoolStatus: Array.from({ length: n }, (_, i) => SCHOOL_STATUSES[i % 8]) } } });
  }
  for (const n of range(11, 100_000, 10)) {
    const deep = `${'['.repeat(n)}"ENROLLED"${']'.repeat(n)}`;
    const query = JSON.stringify('query($f: ChildFilter) { children(filter: $f) { totalCount } }');
    cases.push({ kind: 'variables', name: `a value nested ${n} deep`, body: `{"query": ${query}, "variables": {"f": {"schoolStatus": ${deep}}}}` });
  }
  return cases;
}

function introspectionCases(): Case[] {
  const cases: Case[] = [];
  for (const n of range(20, 200, 20)) {
    cases.push({ kind: 'introspection', name: `__type with ${n} ofType in a named fragment`, query: `{ ...T } fragment T on Query { __type(name: "Child") { ${nest(n, () => 'ofType {', 'name')} } }` });
    cases.push({ kind: 'introspection', name: `__schema with ${n} ofType in an inline fragment`, query: `{ ... on Query { __schema { types { ...R } } } } fragment R on __Type { ${nest(n, () => 'ofType {', 'kind')} }` });
  }
  for (const n of range(3, 12, 10)) {
    const recursion = `${times(n, () => 'fields { type {')} name ${'} }'.repeat(n)}`;
    cases.push({ kind: 'introspection', name: `__schema recursing ${n} times through fields and types in a fragment`, query: `{ ...S } fragment S on Query { __schema { types { ${recursion} } } }` });
  }
  const types = Object.keys(FIELDS).filter((t) => t !== 'Query' && t !== 'Mutation');
  for (const type of types) {
    cases.push({ kind: 'introspection', name: `__schema in a fragment on ${type}`, query: `${PATHS[type]('...X')} fragment X on ${type} { __schema { types { name } } }` });
    cases.push({ kind: 'introspection', name: `__type in an inline fragment on ${type}`, query: PATHS[type](`... on ${type} { __type(name: "Child") { name } }`) });
  }
  for (const field of ['__typo', '__schemas', '__Type', '__types', '__typename { name }', '__type { name }', '__type(name: 1) { name }', '__schema(name: "x") { types { name } }', '__type(name: "Child") { fields { nam } }', '__schema { types { fieldz { name } } }']) {
    cases.push({ kind: 'introspection', name: `${field} in a fragment`, query: `{ ...F } fragment F on Query { ${field} }` });
  }
  return cases;
}

function misspelledCases(): Case[] {
  const cases: Case[] = [];
  for (const [type, fields] of Object.entries(FIELDS)) {
    for (const field of fields) {
      for (const wrong of misspell(field)) cases.push({ kind: 'misspelled', name: `${type}.${wrong}`, query: PATHS[type](wrong) });
    }
  }
  for (const [field, wrong] of [['children', 'children(frist: 10) { totalCount }'], ['children', 'children(filter: { regoin: "350102" }) { totalCount }'], ['child', 'child(ids: "x") { name }'], ['regions', 'regions(levle: city) { code }'], ['regions', 'regions(level: cty) { code }'], ['changeLog', 'changeLog(firts: 5) { edges { cursor } }'], ['childByIdNumber', 'childByIdNumber(idNumbr: "x") { id }']]) {
    cases.push({ kind: 'misspelled', name: `argument of ${field}: ${wrong}`, query: `{ ${wrong} }` });
  }
  for (const status of SCHOOL_STATUSES) {
    for (const wrong of misspell(status).slice(0, 2)) {
      cases.push({ kind: 'misspelled', name: `enum literal ${wrong}`, query: `{ children(filter: { schoolStatus: [${wrong}] }) { totalCount } }` });
      cases.push({ kind: 'misspelled', name: `enum variable ${wrong}`, query: 'query($s: [SchoolStatus!]) { children(filter: { schoolStatus: $s }) { totalCount } }', variables: { s: [wrong] } });
    }
  }
  for (const field of FILTER_FIELDS) {
    for (const wrong of misspell(field).slice(0, 2)) {
      cases.push({ kind: 'misspelled', name: `input field variable ${wrong}`, query: 'query($f: ChildFilter) { children(filter: $f) { totalCount } }', variables: { f: { [wrong]: true } } });
      cases.push({ kind: 'misspelled', name: `input field literal ${wrong}`, query: `{ children(filter: { ${wrong}: true }) { totalCount } }` });
    }
  }
  for (const wrong of ['ChildFiltr', 'ChildFilters', 'SchoolStatuss', 'RegisterChildInpt', 'Strng', 'Itn']) {
    cases.push({ kind: 'misspelled', name: `variable type ${wrong}`, query: `query($x: ${wrong}) { me { sub } }` });
  }
  return cases;
}

function directiveCases(): Case[] {
  const cases: Case[] = [];
  for (const n of range(21, 1000, 12)) {
    cases.push({ kind: 'directives', name: `@include(if: true) ×${n} on one field`, query: `{ me { sub ${'@include(if: true) '.repeat(n)} } }` });
    cases.push({ kind: 'directives', name: `@skip(if: false) ×${n} on one inline fragment`, query: `{ me { ... ${'@skip(if: false) '.repeat(n)} { sub } } }` });
    cases.push({ kind: 'directives', name: `an unknown directive ×${n}`, query: `{ me { sub ${'@hostile '.repeat(n)} } }` });
  }
  for (const n of range(21, 30, 10)) {
    cases.push({ kind: 'directives', name: `${n} fields with one @include each`, query: `{ me { ${times(n, (i) => `s${i}: sub @include(if: true)`)} } }` });
  }
  return cases;
}

function rootFieldCases(): Case[] {
  return range(11, 30, 20).map((n) => ({
    kind: 'rootFields' as const,
    name: `${n} ID-number guesses`,
    query: `{ ${times(n, (i) => `g${i}: childByIdNumber(idNumber: "350102201605200${String(i).padStart(3, '0')}") { id name }`)} }`,
  }));
}

function costCases(): Case[] {
  const cases: Case[] = [];
  for (const first of range(101, 100_000, 10)) cases.push({ kind: 'cost', name: `first: ${first}`, query: `{ children(first: ${first}) { edges { node { name hukouRegion { code } } } } }` });
  for (const last of range(20, 100, 9)) {
    cases.push({ kind: 'cost', name: `a hundred children with ${last} changes each`, query: `{ children(first: 100) { edges { node { name changes(last: ${last}) { seq actorSub changes { field before after } } } } } }` });
  }
  for (const first of range(20, 100, 5)) {
    cases.push({ kind: 'cost', name: `change log pages of ${first} inside regions of children`, query: `query($n: Int!) { children(first: $n) { edges { node { changes(last: ${first}) { changes { field label } } } } } changeLog(first: 100) { edges { node { changes { field } } } } }`, variables: { n: first } });
  }
  return cases;
}

function tokenCases(): Case[] {
  const cases: Case[] = [];
  for (const n of range(5001, 60_000, 8)) {
    cases.push({ kind: 'tokens', name: `${n} names`, query: `{ me { ${'sub '.repeat(n)} } }` });
    cases.push({ kind: 'tokens', name: `${n} tokens of anonymous operations`, query: '{ __typename } '.repeat(Math.ceil(n / 3)) });
    cases.push({ kind: 'tokens', name: `${n} list values`, query: `{ children(filter: { schoolStatus: [${'ENROLLED '.repeat(n)}] }) { totalCount } }` });
  }
  return cases;
}

function syntaxCases(): Case[] {
  const garbage = [
    '{', '}', '{ me { sub }', 'query', 'query {', 'mutation', '{ me { sub } } }', '{ "string" }', '{ me(: 1) { sub } }', '{ 123 }', '{ me { sub } } query', '&&&', '\u0000', '{ me { sub \u0007 } }',
    '{ me { sub } # the comment hides the brace }', '{ childByIdNumber(idNumber: "unterminated) { id } }', '{ childByIdNumber(idNumber: """unterminated) { id } }', '{ me { ... } }', '{ me { ...on } }', 'fragment', 'fragment F on { x }',
    '{ me @ { sub } }', '{ me { sub: } }', '{ $x }', 'query($) { me { sub } }', 'query($x: ) { me { sub } }', '{ me { sub } } extend type Query { x: Int }', '\uFEFF\uFEFF{', '{ me { \u{1F600} } }', 'subscription {',
  ];
  return garbage.map((query, i) => ({ kind: 'syntax' as const, name: `garbage ${i}: ${JSON.stringify(query).slice(0, 40)}`, query }));
}

function transportCases(): Case[] {
  const cases: Case[] = [];
  cases.push({ kind: 'transport', name: '10 MB body', body: JSON.stringify({ query: `{ me { sub } } # ${'x'.repeat(10 * 1024 * 1024)}` }), status: 413 });
  cases.push({ kind: 'transport', name: '2 MB of variables', body: JSON.stringify({ query: REGISTER, variables: { records: 'x'.repeat(2 * 1024 * 1024) } }), status: 413 });
  const malformed = ['{"query": ', '{"query": "{ me { sub } }",}', "{'query': '{ me { sub } }'}", '{"query": "{ me { sub } }"', 'query={ me { sub } }', '{"query": undefined}', '{"query": NaN}', '\u0000\u0001\u0002', '{{{{', '[[[[', '{"query": "\\u12"}', '"just a string', '{"query": "{ me { sub } }"}}', 'nul', 'tru', '{"a":1', '{"query": "x" "y"}', '{\n"query":\n', '\uD800', '{"query": "{ me { sub } }", "variables": {,}}'];
  for (const body of malformed) cases.push({ kind: 'transport', name: `malformed JSON ${JSON.stringify(body).slice(0, 30)}`, body, status: 400 });
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/graphql', 'application/xml', 'text/html', 'application/octet-stream', 'image/png']) {
    cases.push({ kind: 'transport', name: `content type ${type}`, body: JSON.stringify({ query: '{ me { sub } }' }), headers: { 'content-type': type }, status: 400 });
  }
  const mutations = ['mutation { registerChildren(records: []) { replayed } }', 'mutation M { upsertEducationRecords(records: []) { replayed } }', 'mutation { upsertHealthRecords(records: []) { replayed } }'];
  for (const query of mutations) {
    for (const headers of [{ 'apollo-require-preflight': 'true' }, {}, { 'content-type': 'application/json' }] as Array<Record<string, string>>) {
      cases.push({ kind: 'transport', name: `GET with ${query.slice(0, 30)} ${JSON.stringify(headers)}`, method: 'GET', search: `?query=${encodeURIComponent(query)}`, headers });
    }
  }
  for (const n of range(2, 100, 10)) {
    cases.push({ kind: 'transport', name: `a batch of ${n} operations`, body: JSON.stringify(Array.from({ length: n }, () => ({ query: '{ me { sub } }' }))), status: 400 });
  }
  for (const query of [1, true, null, ['{ me { sub } }'], { query: '{ me { sub } }' }, '']) {
    cases.push({ kind: 'transport', name: `query ${JSON.stringify(query)}`, body: JSON.stringify({ query }), status: 400 });
  }
  for (const variables of ['{"x":1}', [1, 2], 5, true]) {
    cases.push({ kind: 'transport', name: `variables ${JSON.stringify(variables)}`, body: JSON.stringify({ query: '{ me { sub } }', variables }), status: 400 });
  }
  for (const body of ['{}', '{"variables": {}}', '{"operationName": "x"}']) {
    cases.push({ kind: 'transport', name: `no query: ${body}`, body, status: 400 });
  }
  return cases;
}

function operationCases(): Case[] {
  const two = 'query A { me { sub } } query B { me { dept } }';
  const cases: Case[] = [
    { kind: 'operation', name: 'unknown operation name', body: JSON.stringify({ query: two, operationName: 'C' }) },
    { kind: 'operation', name: 'two operations, no name', body: JSON.stringify({ query: two }) },
    { kind: 'operation', name: 'operation name of a fragment', body: JSON.stringify({ query: `${two} fragment F on Me { sub }`, operationName: 'F' }) },
    { kind: 'operation', name: 'operation name not a string', body: JSON.stringify({ query: two, operationName: 42 }) },
    { kind: 'operation', name: 'only fragments', query: 'fragment F on Me { sub }' },
    { kind: 'operation', name: 'an unknown persisted query', body: '{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}' },
  ];
  return [...cases, ...cases.map((c) => ({ ...c, name: `without a token: ${c.name}`, anonymous: true }))];
}

/** Hostile documents without a token: refused for the limits, the validation or the missing identity. */
function anonymousCases(all: Case[]): Case[] {
  return all
    .filter((c) => c.query && !c.body && ['aliases', 'depth', 'directives', 'rootFields', 'cost', 'cycles'].includes(c.kind))
    .filter((_, i) => i % 6 === 0)
    .map((c) => ({ ...c, kind: 'anonymous' as const, name: `without a token: ${c.name}`, anonymous: true }));
}

const STACK_OR_PATH = /\.ts\b|\.js:\d|node_modules|\bat [\w.<>$]+ \(|\n\s+at |stacktrace/;

let hub: TestHub;
let token: string;
let registered: string[] = [];
const run: Partial<Record<Kind, number>> = {};
const total = () => Object.values(run).reduce((sum, n) => sum + n, 0);

async function send(c: Case): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = c.method === 'GET' ? { ...c.headers } : { 'content-type': 'application/json', ...c.headers };
  if (!c.anonymous) headers.authorization = `Bearer ${token}`;
  const body = c.method === 'GET' ? undefined : (c.body ?? JSON.stringify({ query: c.query, variables: c.variables }));
  const response = await fetch(`${hub.url}/graphql${c.search ?? ''}`, { method: c.method ?? 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

/** What is wrong with the answer to one hostile case, or null. */
function judge(c: Case, status: number, text: string): string | null {
  let body: { data?: unknown; errors?: Array<{ message?: string; extensions?: { code?: string } }> };
  try {
    body = JSON.parse(text);
  } catch {
    return `not JSON (${status}): ${text.slice(0, 200)}`;
  }
  const codes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'NONE');
  if (codes.length === 0) return `no error (${status}): ${text.slice(0, 200)}`;
  if (codes.includes('INTERNAL_SERVER_ERROR')) return `INTERNAL_SERVER_ERROR: ${text.slice(0, 300)}`;
  const unexpected = codes.filter((code) => !ACCEPTED[c.kind].includes(code));
  if (unexpected.length) return `unexpected codes ${[...new Set(unexpected)]}: ${text.slice(0, 300)}`;
  if (/Did you mean/i.test(text)) return `suggestion: ${text.slice(0, 300)}`;
  if (STACK_OR_PATH.test(text)) return `stack or path: ${text.slice(0, 300)}`;
  if (body.errors!.some((e) => !e.message || e.message.length < 10)) return `unclear message: ${text.slice(0, 200)}`;
  if (c.status !== undefined && status !== c.status) return `status ${status}, expected ${c.status}`;
  if (status >= 500) return `status ${status}`;
  return null;
}

async function runAll(cases: Case[], concurrency = 6): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < cases.length) {
        const c = cases[next++];
        try {
          const { status, text } = await send(c);
          const problem = judge(c, status, text);
          if (problem) failures.push(`[${c.kind}] ${c.name}: ${problem}`);
        } catch (error) {
          failures.push(`[${c.kind}] ${c.name}: request failed: ${(error as Error).message}`);
        }
        run[c.kind] = (run[c.kind] ?? 0) + 1;
      }
    }),
  );
  return failures;
}

const GENERATED: Record<Exclude<Kind, 'anonymous'>, () => Case[]> = {
  depth: depthCases,
  aliases: aliasCases,
  text: textCases,
  cycles: cycleCases,
  variables: variableCases,
  introspection: introspectionCases,
  misspelled: misspelledCases,
  directives: directiveCases,
  rootFields: rootFieldCases,
  cost: costCases,
  tokens: tokenCases,
  syntax: syntaxCases,
  transport: transportCases,
  operation: operationCases,
};
const ALL = Object.values(GENERATED).flatMap((make) => make());
const CASES: Record<Kind, Case[]> = { ...Object.fromEntries(Object.keys(GENERATED).map((k) => [k, ALL.filter((c) => c.kind === k)])), anonymous: anonymousCases(ALL) } as never;
const PAGE = `query Page { children(first: 100) { totalCount edges { node {
  id idNumber name gender birthDate version hukouRegion { code name } residenceRegion { code }
  education { status stage grade schoolName version } publicSecurity { hukouStatus whereabouts version }
  civilAffairs { leftBehind migrant version } poverty { registeredPoor version } health { seriousIllness version }
  disability { disabilityType disabilityLevel certificateNo version } dropoutCases { id reason status openedOn }
} } } }`;

describe('hostile queries', () => {
  beforeAll(async () => {
    hub = await startTestHub();
    token = await hub.token({ dept: 'EDU', region: '350102' });
    const records = [childInput({ name: '陈小红', gender: 'FEMALE' }), childInput({ name: '黄小刚' }), childInput({ name: '郑小梅', gender: 'FEMALE' })];
    const res = await hub.gql(REGISTER, { records }, token);
    expect(res.body.errors).toBeUndefined();
    registered = records.map((r) => r.name).sort();
  });
  afterAll(() => hub?.stop());

  it('generates over a thousand cases', () => {
    const total = Object.values(CASES).reduce((sum, list) => sum + list.length, 0);
    expect(total).toBeGreaterThanOrEqual(1000);
    for (const list of Object.values(CASES)) expect(list.length).toBeGreaterThan(0);
  });

  it.each(Object.keys(CASES) as Kind[])('%s: a clear coded error each, no suggestion, no stack', async (kind) => {
    const failures = await runAll(CASES[kind], kind === 'transport' || kind === 'variables' ? 2 : 6);
    expect(failures.slice(0, 20)).toEqual([]);
  });

  it('names the limit and the value, in Chinese and then English', async () => {
    const first = async (query: string, variables?: Record<string, unknown>) => (await hub.gql(query, variables, token)).body.errors![0];
    expect(await first(`{ ${nest(20, () => '... on Query {', '__typename')} }`)).toMatchObject({
      message: '查询过于复杂 Query too complex: 查询深度 21 超过上限 12 (depth 21 exceeds the limit of 12)',
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth', value: 21, max: 12 },
    });
    expect((await first(`{ me { ${times(31, (i) => `a${i}: sub`)} } }`)).message).toBe('查询过于复杂 Query too complex: 别名数 31 超过上限 30 (number of aliases 31 exceeds the limit of 30)');
    expect((await first(`{ me { ${'sub '.repeat(6000)} } }`)).message).toBe('查询过于复杂 Query too complex: 词法单元超过 5000 个 (the document has more than 5000 tokens)');
    expect((await first(REGISTER, { records: Array.from({ length: 1001 }, () => ({})) })).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'listItems', value: 1001, max: 1000 });
    expect((await first('{ children(first: 100) { edges { node { changes(last: 100) { changes { field } } } } } }')).message).toMatch(/^查询过于复杂 Query too complex: 估算代价 \d+ 超过上限 20000 \(estimated cost \d+ exceeds the limit of 20000\)$/);
    // Suggestions are off outside development; the rest of the message stays.
    expect((await first('{ me { sube } }')).message).toBe('查询无效 Invalid query: Cannot query field "sube" on type "Me".');
    expect((await first('query($s: [SchoolStatus!]) { children(filter: { schoolStatus: $s }) { totalCount } }', { s: ['ENROLLD'] })).message)
      .toMatch(/^输入有误 Bad input: \$s\[0\]: "ENROLLD" 不是 SchoolStatus 的取值，可选：ENROLLED 在校 enrolled、.*\("ENROLLD" is not a SchoolStatus value; allowed: ENROLLED, /);
  });

  it('still answers an ordinary query correctly afterwards, and never failed internally', async () => {
    const byKind = Object.entries(run).map(([kind, n]) => `${kind} ${n}`).join(', ');
    process.stdout.write(`\n  hostile cases run (${target}): ${total()} (${byKind})\n`);
    expect(total()).toBeGreaterThanOrEqual(1000);
    const page = await hub.gql<{ children: { totalCount: number; edges: Array<{ node: { name: string; education: unknown } }> } }>(PAGE, {}, token);
    expect(page.body.errors).toBeUndefined();
    expect(page.body.data!.children.totalCount).toBe(3);
    expect(page.body.data!.children.edges.map((e) => e.node.name).sort()).toEqual(registered);
    expect(await (await fetch(`${hub.url}/readyz`)).json()).toMatchObject({ status: 'ready' });
    expect(await hub.metric('baoxue_graphql_errors_total{code="INTERNAL_SERVER_ERROR"}')).toBe(0);
    expect(await hub.metric('baoxue_graphql_errors_total{code="QUERY_TOO_COMPLEX"}')).toBeGreaterThan(500);
  });
});
