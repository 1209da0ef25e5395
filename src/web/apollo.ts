import { ApolloServer, type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { type DocumentNode, type GraphQLFormattedError, Kind, type SelectionSetNode } from 'graphql';
import type { Config } from '../config';
import { AppError, PASS_THROUGH_CODES } from '../core/errors';
import type { Logger } from '../core/logger';
import { securedSchema } from '../schema';
import { sensitiveReadAudit } from '../audit/sensitive-read.plugin';
import type { AppContext } from '../services';
import { compiledExecutorGateway } from './compiled-executor';
import { enumInputError, withChineseLabel } from './graphql-errors';
import { accessVariants } from '../permissions/field-guard';
import type { Metrics } from './metrics';
import { inputTextPlugin } from './input-text';
import { queryLimitRules, querySafetyPlugin, safetyErrorOf } from './query-safety';

export { HeaderMap };

/** Root field names of an operation, looking through fragments. */
function rootFields(selectionSet: SelectionSetNode, document: DocumentNode, seen = new Set<string>()): string[] {
  const names: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) names.push(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) names.push(...rootFields(selection.selectionSet, document, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment && fragment.kind === Kind.FRAGMENT_DEFINITION) names.push(...rootFields(fragment.selectionSet, document, seen));
    }
  }
  return names;
}

/** Everything but introspection needs a verified identity; checked once, before execution. */
const requireIdentity: ApolloServerPlugin<AppContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operation, document }) {
        // Without an operation (an unknown operationName) execution resolves nothing and says so.
        if (contextValue.isAuthenticated || !operation) return;
        const fields = rootFields(operation.selectionSet, document);
        if (fields.some((name) => !name.startsWith('__'))) contextValue.user();
      },
    };
  },
};

function observe(metrics: Metrics, logger: Logger): ApolloServerPlugin<AppContext> {
  return {
    async requestDidStart({ contextValue }) {
      const stop = metrics.duration.startTimer();
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const original = unwrapResolverError(error);
            const code = original instanceof AppError ? original.code : (error.extensions?.code as string | undefined);
            if (!(original instanceof AppError) && !(code && PASS_THROUGH_CODES.has(code))) {
              logger.error({ requestId: contextValue.requestId, err: original }, 'internal error');
            }
          }
        },
        async willSendResponse({ response, operationName, operation }) {
          const name = operationName ?? 'anonymous';
          stop({ operation: name });
          metrics.requests.inc({ operation: name, type: operation?.operation ?? 'unknown' });
          if (response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            metrics.errors.inc({ code: String(error.extensions?.code ?? 'UNKNOWN') });
            (error.extensions as Record<string, unknown>).requestId = contextValue.requestId;
          }
        },
      };
    },
  };
}

/**
 * What a client may see of an error: our own coded errors and graphql-js's validation errors as
 * they are; anything else masked, so that no SQL, stack or internal detail leaves the server.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const aboutEnum = enumInputError(securedSchema(), formatted, error);
  if (aboutEnum) return aboutEnum;
  const original = safetyErrorOf(error) ?? unwrapResolverError(error);
  const code = original instanceof AppError ? original.code : (formatted.extensions?.code as string | undefined);
  if (original instanceof AppError || (code && PASS_THROUGH_CODES.has(code))) {
    const { stacktrace: _stack, exception: _exception, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    return { ...formatted, message: original instanceof AppError ? original.message : withChineseLabel(formatted.message, code), extensions: { ...extensions, code } };
  }
  return {
    message: '内部错误，已记录 Internal server error; it has been logged (quote the request id)',
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

export function createApollo(config: Config, metrics: Metrics, logger: Logger): ApolloServer<AppContext> {
  return new ApolloServer<AppContext>({
    // Queries and mutations run on code compiled per operation (graphql-jit); see compiled-executor.ts.
    // Each reader's access gets code of its own, its permitted fields read without a per-field check.
    gateway: compiledExecutorGateway(securedSchema(), { variant: accessVariants(securedSchema()) }),
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.env !== 'development',
    allowBatchedHttpRequests: false,
    // main.ts drains and stops on SIGTERM; Apollo's own handler would race it and hang the shutdown.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    formatError,
    validationRules: queryLimitRules(config.queryLimits),
    parseOptions: { maxTokens: config.queryLimits.maxTokens },
    plugins: [
      // Cache control would wrap every resolver (willResolveField); the hub sets no cache hints.
      ApolloServerPluginCacheControlDisabled(),
      requireIdentity, sensitiveReadAudit(logger), observe(metrics, logger), querySafetyPlugin(config.queryLimits, { hideSuggestions: config.env !== 'development' }),
      inputTextPlugin],
  });
}
