import type http from 'node:http';
import { childLoader } from '../children/child.loader';
import { AppError, NotFoundError } from '../core/errors';
import { correctionOrderPage } from '../supervision/correction-order.print';
import type { AppContext } from '../services';
import { sendError, statusOf } from './notice-exports';

/**
 * `GET /supervision-actions/<id>/print`: a correction order (责令限期改正通知书) as an A4 page,
 * authorised like reading the action (bearer token; the kind and the child in the reader's scope).
 * Any other kind of action, or one the reader may not see, is 404 alike.
 */
export const CORRECTION_ORDER_PRINT_PATH = /^\/supervision-actions\/([^/]{1,64})\/print$/;

export async function serveCorrectionOrderPrint(ctx: AppContext, match: RegExpExecArray, res: http.ServerResponse): Promise<void> {
  try {
    const reader = ctx.reader();
    const order = await ctx.services.supervisionActions.one(reader, match[1]);
    if (order.kind !== 'CORRECTION_ORDER' || !order.childId) throw new NotFoundError(`id: 没有责令改正通知书 ${match[1]} (no such correction order)`);
    const child = await ctx.loader('child', () => childLoader(ctx.db.sql, reader)).load(order.childId);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
    });
    res.end(correctionOrderPage(order, child));
  } catch (error) {
    if (error instanceof AppError) return sendError(res, statusOf(error.code), error.code, error.message, ctx.requestId);
    throw error;
  }
}
