import type http from 'node:http';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import { type ExportTable, writeTablesCsv, writeTablesXlsx } from '../core/table-export';
import { actionTables, spotCheckTables } from '../supervision/supervision.export';
import type { AppContext } from '../services';
import { attachment, sendError, statusOf } from './notice-exports';

/**
 * `GET /supervision-actions/export.xlsx|csv` (every action the supervisor may see) and
 * `GET /spot-checks/<id>/results.xlsx|csv` (a spot check's accuracy, mismatches and sample):
 * supervision records as files, for supervisors only (anyone else: FORBIDDEN before anything is
 * read), authorised like the API (a bearer token; a spot check the reader may not see is 404 like
 * a missing one), recorded in the sensitive-read audit before a byte leaves, streamed.
 */
export const SUPERVISION_EXPORT_PATH = /^\/(?:supervision-actions\/export|spot-checks\/([^/]{1,64})\/results)\.(xlsx|csv)$/;

const CONTENT_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8; header=present',
} as const;

export async function serveSupervisionExport(ctx: AppContext, match: RegExpExecArray, res: http.ServerResponse, logger: Logger): Promise<void> {
  const [, spotCheckId, ext] = match;
  const format = ext as keyof typeof CONTENT_TYPES;
  const { services, requestId } = ctx;
  let tables: ExportTable[];
  let name: string;
  try {
    const reader = ctx.reader();
    let region = reader.identity.region;
    if (spotCheckId === undefined) {
      tables = actionTables(services.supervisionActions, reader);
      name = `督导事项_${region}_${services.supervisionActions.today()}`;
    } else {
      ({ region, tables } = await spotCheckTables(services.spotChecks, reader, spotCheckId));
      name = `抽查结果_${region}_${spotCheckId.slice(0, 8)}`;
    }
    // The export itself is audited before a byte of it leaves; if that fails, nothing is sent.
    await services.sensitiveReads.recordExport(reader.identity, `export:${format}:${spotCheckId === undefined ? 'supervision-actions' : `spot-check:${spotCheckId}`}`, region, requestId);
  } catch (error) {
    if (error instanceof AppError) return sendError(res, statusOf(error.code), error.code, error.message, requestId);
    throw error;
  }
  res.writeHead(200, { 'content-type': CONTENT_TYPES[format], 'cache-control': 'no-store', 'content-disposition': attachment(`${name}.${format}`) });
  try {
    if (format === 'xlsx') await writeTablesXlsx(tables, res);
    else await writeTablesCsv(tables, res);
  } catch (error) {
    // Headers are gone: cut the connection, so that the client sees a failed download, not a short file.
    logger.error({ requestId, err: error, format }, 'supervision export failed');
    res.destroy();
  }
}
