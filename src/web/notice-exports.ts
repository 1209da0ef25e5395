import type http from 'node:http';
import { type AppErrorCode, AppError } from '../core/errors';
import type { Reader } from '../core/context';
import type { Logger } from '../core/logger';
import { auditedBatches, exportAuditField, noticeSections, type ExportFormat, writeCsv, writeXlsx } from '../notices/notice.export';
import { writePrint } from '../notices/notice.print';
import { writeProofs } from '../notices/notice.proofs';
import type { SignedRootDocument } from '../log-roots/log-root.proof';
import { NotFoundError } from '../core/errors';
import { exportFileName } from '../notices/notice.rows';
import type { NoticeRow } from '../notices/notice.service';
import type { AppContext } from '../services';

/**
 * `GET /notices/<id>/export.xlsx`, `/export.csv`, `/print` and `/proofs.json` (the inclusion proofs of its
 * entries in the signed root it names, notice.proofs.ts): a notice as a file, authorised
 * exactly like `exchangeNotice(id)` (a bearer token in the Authorization header, never in the
 * URL), recorded in the sensitive-read audit, streamed.
 */
export const NOTICE_EXPORT_PATH = /^\/notices\/([^/]{1,64})\/(export\.xlsx|export\.csv|print|proofs\.json)$/;

const FORMAT_OF: Readonly<Record<string, ExportFormat>> = { 'export.xlsx': 'xlsx', 'export.csv': 'csv', print: 'print', 'proofs.json': 'proofs' };

const CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8; header=present',
  print: 'text/html; charset=utf-8',
  proofs: 'application/json; charset=utf-8',
};

/** HTTP status of an error the caller may see; a new code does not compile until it is mapped here. */
export function statusOf(code: AppErrorCode): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'BAD_USER_INPUT':
      return 400;
    case 'CONFLICT':
      return 409;
    case 'QUERY_TOO_COMPLEX':
      return 400;
    case 'TIMEOUT':
      return 503;
    default: {
      const unmapped: never = code;
      return unmapped;
    }
  }
}

export function sendError(res: http.ServerResponse, status: number, code: string, message: string, requestId: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
  });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code, requestId } }] }));
}

/** RFC 6266: an ASCII fallback and the Chinese name in UTF-8. */
export function attachment(name: string): string {
  return `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export async function serveNoticeExport(ctx: AppContext, match: RegExpExecArray, res: http.ServerResponse, logger: Logger): Promise<void> {
  const [, id, route] = match;
  const format = FORMAT_OF[route];
  const { services, requestId } = ctx;
  let reader: Reader;
  let notice: NoticeRow;
  let root: SignedRootDocument | null = null;
  try {
    reader = ctx.reader();
    notice = await services.notices.get(reader, id);
    if (format === 'proofs') {
      root = notice.rootSeq ? await services.logRoots.get(notice.rootSeq) : null;
      if (!root) throw new NotFoundError(`通报 ${notice.number} 发布于签名根之前，没有证明材料 (notice ${notice.number} was issued before signed roots: it has no proofs)`);
    }
    // The export itself is audited before a byte of it leaves; if that fails, nothing is sent.
    await services.sensitiveReads.recordExport(reader.identity, exportAuditField(format, notice), notice.region, requestId);
  } catch (error) {
    if (error instanceof AppError) return sendError(res, statusOf(error.code), error.code, error.message, requestId);
    throw error;
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[format],
    'cache-control': 'no-store',
    ...(format === 'print'
      ? { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'" }
      : { 'content-disposition': attachment(exportFileName(notice, format === 'proofs' ? 'proofs.json' : format)) }),
  });
  try {
    if (format === 'proofs') {
      const flushAudit = async () => {
        await services.sensitiveReads.flush(reader, requestId);
        reader.audit.clear();
      };
      await writeProofs(notice, root!, services.notices.stream(notice, reader), services.logRootReads, reader, res, flushAudit);
      return;
    }
    const batches = auditedBatches(services.notices, services.sensitiveReads, reader, notice, requestId);
    const sections = noticeSections(services.notices, reader, notice);
    if (format === 'xlsx') await writeXlsx(notice, batches, res, sections);
    else if (format === 'csv') await writeCsv(batches, res, sections);
    else await writePrint(notice, batches, res, reader.identity.sub, sections);
  } catch (error) {
    // Headers are gone: cut the connection, so that the client sees a failed download, not a short file.
    logger.error({ requestId, err: error, notice: notice.number, format }, 'notice export failed');
    res.destroy();
  }
}
