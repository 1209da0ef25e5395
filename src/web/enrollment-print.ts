import type http from 'node:http';
import { childLoader } from '../children/child.loader';
import { AppError, ForbiddenError } from '../core/errors';
import { enrollmentNoticePage } from '../enrollment/enrollment.print';
import type { AppContext } from '../services';
import { sendError, statusOf } from './notice-exports';

/**
 * `GET /enrollment-notices/<id>/print`: an enrollment notice as a page to print, authorised like
 * reading it (a bearer token in the Authorization header, the notice's child in the reader's
 * region); the child's fields as the reader may see them.
 */
export const ENROLLMENT_PRINT_PATH = /^\/enrollment-notices\/([^/]{1,64})\/print$/;

export async function serveEnrollmentPrint(ctx: AppContext, match: RegExpExecArray, res: http.ServerResponse): Promise<void> {
  try {
    const reader = ctx.reader();
    if (!reader.access.canRead('EnrollmentNotice.number')) throw new ForbiddenError('您的部门与角色不能查看入学通知书 (your department and role may not read enrollment notices)');
    const notice = await ctx.services.enrollment.get(reader, match[1]);
    const child = await ctx.loader('child', () => childLoader(ctx.db.sql, reader)).load(notice.childId);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
    });
    res.end(enrollmentNoticePage(notice, child));
  } catch (error) {
    if (error instanceof AppError) return sendError(res, statusOf(error.code), error.code, error.message, ctx.requestId);
    throw error;
  }
}
