import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, type ExecutionArgs, GraphQLError, getOperationAST, parse, validate } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Identity } from '../auth/identity';
import type { TokenVerifier } from '../auth/tokens';
import type { Clock } from '../core/clock';
import { RequestContext } from '../core/context';
import { BadUserInputError, UnauthenticatedError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Database } from '../db/database';
import { securedSchema } from '../schema';
import type { AppContext, Services } from '../services';
import { formatError } from './apollo';
import { inputTextProblems } from './input-text';

/** The close code graphql-ws gives "Unauthorized": the token the connection was opened with is no longer accepted. */
export const TOKEN_EXPIRED_CLOSE = { code: 4401, reason: '令牌已过期 Token expired' } as const;
export const TOKEN_REFUSED_CLOSE = { code: 4401, reason: '令牌已失效 Token no longer accepted' } as const;
/** setTimeout's longest delay; a token living longer is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Subscriptions carry a few hundred bytes from the client; anything much larger is not ours. */
const MAX_MESSAGE_BYTES = 64 * 1024;
const BEARER = /^Bearer ([A-Za-z0-9_\-.~+/=]+)$/;

export interface WebSocketDeps {
  readonly verifier: TokenVerifier;
  readonly db: Database;
  readonly clock: Clock;
  readonly services: Services;
  readonly logger: Logger;
}

export interface GraphQLWebSocket {
  /** Answers WebSocket upgrades of `/graphql` on the HTTP server (anything else is refused). */
  attach(server: http.Server): void;
  /** Apollo's drain-plugin pattern: stopping Apollo closes the WebSocket server too. */
  readonly drainPlugin: ApolloServerPlugin<AppContext>;
  /** Closes every WebSocket (1001, going away: clients resume elsewhere with after, their position) and stops the change feed. */
  close(): Promise<void>;
}

function errors(message: string, code: string): GraphQLError[] {
  return [new GraphQLError(message, { extensions: { code } })];
}

/**
 * GraphQL subscriptions over WebSocket (the graphql-ws protocol) on the HTTP server's `/graphql`,
 * executing the same secured schema as HTTP. Apollo Server does not serve WebSockets itself.
 * The token travels in `connection_init` (`{ authorization: 'Bearer …' }`) and is verified as
 * HTTP verifies it; without a valid one the connection is closed (4403). Only subscriptions are
 * served here: queries and mutations go through HTTP, where every plugin (audit, limits) applies.
 */
export function graphqlOverWebSocket(deps: WebSocketDeps): GraphQLWebSocket {
  const { verifier, db, clock, services, logger } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  /** Per connection: who opened it, with which token, and until when that token is accepted. */
  const sessions = new WeakMap<object, { identity: Identity; token: string; expiresAt: number }>();
  const schema = securedSchema();

  const server = useServer(
    {
      schema,
      // Never put an internal error's message in a close reason (graphql-ws would, outside production).
      isProd: true,
      async onConnect(ctx) {
        const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const match = typeof header === 'string' ? BEARER.exec(header) : null;
        if (!match) return false;
        try {
          const { identity, expiresAt } = await verifier.verifyToken(match[1]);
          sessions.set(ctx, { identity, token: match[1], expiresAt });
          closeWhenExpired(ctx.extra.socket, expiresAt);
          return true;
        } catch (error) {
          logger.info({ reason: (error as Error).message }, 'websocket connection refused');
          return false;
        }
      },
      onSubscribe(ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] {
        const session = sessions.get(ctx);
        if (!session) return [new UnauthenticatedError('需要令牌 (send a bearer token in connection_init)')];
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const invalid = validate(schema, document);
        if (invalid.length) return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return errors('无法确定要执行的操作 (unable to identify the operation)', 'BAD_REQUEST');
        if (operation.operation !== 'subscription') {
          return errors('WebSocket 只用于订阅；查询与变更请用 HTTP (only subscriptions over WebSocket; send queries and mutations over HTTP)', 'BAD_REQUEST');
        }
        const badText = inputTextProblems(schema, document, operation, payload.variables ?? undefined);
        if (badText.length) return [new BadUserInputError(badText)];
        const contextValue: AppContext = new RequestContext<Services>(`ws-${randomUUID()}`, session.identity, null, db, clock, services);
        // Nothing is read for this subscription past its token's expiry (the feed asks for the reader at each delivery).
        contextValue.setDeadline(session.expiresAt, () => new UnauthenticatedError('令牌已过期 (the token expired)'));
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      // The same masking as HTTP: coded errors as they are, anything else hidden and logged.
      onNext: async (ctx, _id, _payload, args, result) => {
        const context = args.contextValue as AppContext;
        // The token is checked again before each entry leaves (verified tokens are remembered for a
        // minute at most): one that expired or whose key was withdrawn closes the connection, and
        // what projecting the entry recorded for the audit is dropped, as nothing is sent.
        try {
          await verifier.verify(sessions.get(ctx)?.token ?? '');
        } catch (error) {
          context.readerIfAny?.audit.clear();
          const close = /expired/.test((error as Error).message) ? TOKEN_EXPIRED_CLOSE : TOKEN_REFUSED_CLOSE;
          ctx.extra.socket.close(close.code, close.reason);
          return { data: null };
        }
        try {
          await flushAudit(context);
        } catch (error) {
          logger.error({ requestId: context.requestId, err: error }, 'sensitive-read audit failed; change-feed entry withheld');
          return { data: null, errors: [{ message: '审计记录失败，已拒绝返回数据 Audit could not be recorded; the data was withheld', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: context.requestId } }] };
        }
        if (!result.errors?.length) return;
        for (const error of result.errors) if (!error.extensions?.code) logger.error({ requestId: context.requestId, err: error.originalError ?? error }, 'internal error');
        return { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) };
      },
      onError: (_ctx, _id, _payload, errs) => {
        for (const error of errs) if (!error.extensions?.code) logger.error({ err: error.originalError ?? error }, 'internal error');
        return errs.map((error) => formatError(error.toJSON(), error));
      },
    },
    wss,
  );

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      const sockets = [...wss.clients];
      // Closes each socket with 1001 (going away) and the WebSocket server.
      await server.dispose();
      // A client that does not answer the closing handshake within a second is cut off, so that
      // the HTTP server (which waits for every connection) can close.
      await Promise.all(
        sockets.map((socket) =>
          socket.readyState === socket.CLOSED
            ? undefined
            : new Promise<void>((resolve) => {
                const timer = setTimeout(() => socket.terminate(), 1000);
                socket.once('close', () => {
                  clearTimeout(timer);
                  resolve();
                });
              }),
        ),
      );
      await services.changeFeed.stop();
    })());

  return {
    attach(httpServer) {
      httpServer.on('upgrade', (req: http.IncomingMessage, socket, head) => {
        const path = (req.url ?? '').split('?')[0];
        if (path !== '/graphql' || closing) {
          socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      });
    },
    drainPlugin: {
      async serverWillStart() {
        return { drainServer: close };
      },
    },
    close,
  };
}

/** Closes a connection (4401) when the token it was opened with expires, whether or not anything is being delivered then. */
function closeWhenExpired(socket: WebSocket, expiresAt: number): void {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const wait = expiresAt - Date.now();
    if (wait <= 0) {
      socket.close(TOKEN_EXPIRED_CLOSE.code, TOKEN_EXPIRED_CLOSE.reason);
      return;
    }
    timer = setTimeout(check, Math.min(wait, MAX_TIMER_MS));
    timer.unref();
  };
  check();
  socket.once('close', () => clearTimeout(timer));
}

/**
 * Each delivered entry is its own response for the sensitive-read audit: what projecting it
 * recorded is written before it leaves, and forgotten so the next entry records afresh.
 */
async function flushAudit(context: AppContext): Promise<void> {
  const reader = context.readerIfAny;
  if (!reader || reader.audit.size === 0) return;
  await context.services.sensitiveReads.flush(reader, context.requestId);
  reader.audit.clear();
}
