import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../core/logger';
import type { AppContext } from './sensitive-read.context';

/**
 * Writes the request's sensitive reads to the audit before the response leaves. Fails closed:
 * when the audit cannot be written, the caller gets an error instead of the data.
 */
export function sensitiveReadAudit(logger: Logger): ApolloServerPlugin<AppContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const reader = contextValue.readerIfAny;
          if (!reader || reader.audit.size === 0) return;
          try {
            await contextValue.services.sensitiveReads.flush(reader, contextValue.requestId);
          } catch (error) {
            logger.error({ requestId: contextValue.requestId, err: error }, 'sensitive-read audit failed; response withheld');
            if (response.body.kind === 'single') {
              response.body.singleResult.data = null;
              response.body.singleResult.errors = [
                { message: '审计记录失败，已拒绝返回数据 Audit could not be recorded; the data was withheld', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: contextValue.requestId } },
              ];
            }
          }
        },
      };
    },
  };
}
