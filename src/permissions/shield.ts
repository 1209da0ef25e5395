import { type GraphQLSchema, isObjectType } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { allow, deny, rule, shield } from 'graphql-shield';
import type { IRuleFieldMap, IRuleTypeMap, ShieldRule } from 'graphql-shield/typings/types';
import { ForbiddenError, UnauthenticatedError } from '../core/errors';
import type { RequestContext as AppContext } from '../core/context';
import { accessFor, MATRIX } from './access';
import { guardDataFields } from './field-guard';

/**
 * Types whose fields carry no data of their own about a child (pages, edges, payloads, the
 * projected change log, reference data): any authenticated user may resolve them. What they
 * lead to is guarded where the data is (matrix types) or projected by the service that built them.
 */
export const STRUCTURAL_TYPES: ReadonlySet<string> = new Set([
  'Query', 'Mutation', 'Subscription',
  'ChildConnection', 'ChildEdge', 'PageInfo', 'WritePayload', 'Region', 'Me',
  'ChangeLogConnection', 'ChangeLogEdge', 'ChangeLogEntry', 'FieldChange', 'ChainVerification', 'ChainHeadVerification',
  // Signed roots: hashes and signatures; a root's chain leaves are only those of the reader's region (src/log-roots/log-root.reads.ts).
  'LogRoot', 'LogRootConnection', 'LogRootEdge', 'LogChainLeaf', 'ChangeLogProof', 'LogRootVerification',
  'SensitiveReadConnection', 'SensitiveReadEdge', 'SensitiveRead',
  'ExchangeNotice', 'ExchangeNoticeConnection', 'ExchangeNoticeEdge', 'NoticeSummary', 'NoticeDiscrepancyCounts', 'NoticeActionCounts', 'NoticeCount', 'NoticeVerification', 'NoticeEntries', 'NoticeChild', 'NoticeChainRange', 'IssuedNotices',
  'EvidenceItem', 'WeeklyCounts', 'WeeklyReport', 'CountyProgress', 'CountyHistory', 'CountyWeek', 'CaseloadRow',
  'EnrollmentNoticePage', 'EnrollmentIssue', 'NonArrivals',
  // Aggregates only, each measure and dimension checked against the matrix by the statistics service.
  'Statistics', 'StatCell', 'StatValue', 'StatSeries', 'StatSeriesCell',
  // Whether and when counties reported their weeks: nothing of a child.
  'CountyReporting', 'WeeklyReportStatus',
  // 核实比对: rules are reference data; the rest is filtered per rule and region by src/reconciliation.
  'ReconciliationRule', 'DiscrepancyFact', 'ChangeLogPosition', 'DiscrepancyEvent', 'DiscrepancyEdge', 'DiscrepancyConnection', 'RuleCount', 'ReconciliationRun',
  // 督导 (issue 19): results and assignments are built by src/supervision for readers it has checked
  // (a spot check's supervisors; an item's assigned verifier); actions are filtered per kind there.
  'SpotCheck', 'SpotCheckValue', 'SpotCheckAccuracy', 'SpotCheckMismatch', 'SpotCheckResults', 'SpotCheckRedraw', 'SpotCheckAssignment',
  'SupervisionActionEdge', 'SupervisionActionConnection',
  // Duplicates: pairs only to readers of every field they show, both children in region (src/duplicates/duplicates.visibility.ts).
  'DuplicatePair', 'DuplicatePairEdge', 'DuplicatePairConnection', 'PossibleDuplicate', 'DuplicateSweep',
]);

const authenticated = rule('authenticated', { cache: 'contextual' })((_parent, _args, ctx: AppContext) =>
  ctx.isAuthenticated ? true : (ctx.authError ?? new UnauthenticatedError('需要令牌 (send a bearer token)')),
);

/**
 * Root fields that answer with rows about children, or with counts that a filter can narrow to
 * one child (`children.totalCount`, a county's weekly figures, the change log): refused to a
 * reader without row access (an analyst), who asks `statistics` instead.
 */
export const ROW_ROOT_FIELDS: ReadonlySet<string> = new Set([
  'Query.child', 'Query.childByIdNumber', 'Query.children', 'Query.changeLog', 'Query.changeLogProof', 'Query.enrollmentNotices',
  'Query.weeklyFigures', 'Query.countyProgress', 'Query.countyProgressHistory', 'Query.caseload', 'Query.exchangeNotices', 'Query.exchangeNotice', 'Subscription.changeFeed',
  'Query.discrepancies', 'Mutation.runReconciliation', 'Mutation.startDiscrepancy', 'Mutation.explainDiscrepancy', 'Mutation.confirmExplanation', 'Mutation.recheckDiscrepancy',
  'Query.spotCheck', 'Query.spotChecks', 'Query.spotCheckResults', 'Query.redrawSpotCheck', 'Query.spotCheckAssignments', 'Mutation.drawSpotCheck',
  'Mutation.assignSpotCheckItems', 'Mutation.recordVerification', 'Query.supervisionActions', 'Mutation.recordAction', 'Mutation.closeAction',
  'Query.duplicateCandidates', 'Mutation.resolveDuplicate', 'Mutation.findDuplicates',
]);

const readsRows = rule('readsRows', { cache: 'contextual' })((_parent, _args, ctx: AppContext) => {
  if (!ctx.isAuthenticated) return ctx.authError ?? new UnauthenticatedError('需要令牌 (send a bearer token)');
  // From the identity, not ctx.reader(): past the time limit reader() throws TIMEOUT, which a rule would turn into FORBIDDEN.
  return accessFor(ctx.user()).readsRows ? true : new ForbiddenError('您的角色只能读取汇总统计，请使用 statistics 查询 (your role reads aggregates only: ask `statistics`)');
});

/** One rule per matrix field, made once: a map lookup in the access decided for the request. */
function matrixRule(field: string): ShieldRule {
  return rule(`matrix:${field}`, { cache: 'contextual' })((_parent, _args, ctx: AppContext) =>
    ctx.reader().access.canRead(field) ? true : new ForbiddenError(`您的部门与角色无权读取 ${field} (your department and role may not read ${field})`),
  );
}

/** The rule a field gets, or undefined when nothing decides it (the schema test fails on those). */
export function ruleFor(type: string, field: string): ShieldRule | undefined {
  if (type.startsWith('__')) return allow;
  const key = `${type}.${field}`;
  if (MATRIX.has(key)) return matrixRules.get(key)!;
  if (ROW_ROOT_FIELDS.has(key)) return readsRows;
  if (STRUCTURAL_TYPES.has(type)) return authenticated;
  return undefined;
}

const matrixRules = new Map([...MATRIX.keys()].map((key) => [key, matrixRule(key)]));

/** The shield rule tree for every object type and field of the schema, derived from the matrix. */
export function ruleTree(schema: GraphQLSchema): IRuleTypeMap {
  const tree: IRuleTypeMap = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const fields: IRuleFieldMap = {};
    for (const field of Object.keys(type.getFields())) {
      const decided = ruleFor(type.name, field);
      if (decided) fields[field] = decided;
    }
    tree[type.name] = fields;
  }
  return tree;
}

/**
 * The schema the hub executes. graphql-shield guards the operations (root fields: authenticated,
 * anything unnamed denied with FORBIDDEN); the matrix's field rules, the same ones `ruleTree`
 * names, are compiled into the data types' resolvers (field-guard.ts), where a page resolves
 * thousands of fields and shield's per-field promises would cost a third of the CPU.
 */
export function shieldSchema(schema: GraphQLSchema): GraphQLSchema {
  const permissions = shield(ruleTree(schema), {
    fallbackRule: deny,
    fallbackError: new ForbiddenError('没有为此字段定义权限规则 (no permission rule covers this field)'),
    allowExternalErrors: true,
    debug: false,
  });
  const generated = permissions.generate(schema) as Record<string, unknown>;
  const roots = Object.fromEntries(Object.entries(generated).filter(([type]) => type === 'Query' || type === 'Mutation' || type === 'Subscription'));
  const secured = applyMiddleware(schema, roots as never);
  guardDataFields(secured, STRUCTURAL_TYPES);
  return secured;
}
