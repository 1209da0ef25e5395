import { loggedEntityByType } from '../changelog/catalogue';
import { ChangeOperation } from '../changelog/change-log.type';
import { DropoutReason } from '../ledger/dropout-case.enums';
import { regions } from '../regions/region.registry';
import { OVERDUE_DAYS, type NoticeRow } from './notice.service';
import { chainsOf, rangesOf } from './notice.ranges';
import type { NoticeChild } from './notice.children';
import type { ExchangeNoticeType, NoticeChildType, NoticeCountType } from './notice.type';

const counts = (record: Record<string, number>, label: (key: string) => string): NoticeCountType[] =>
  Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, count]) => ({ key, label: label(key), count }));

const reasonLabel = (key: string) => (DropoutReason.labels as Record<string, string>)[key] ?? key;

/** A stored notice as the API shows it (the row itself travels along for entries and verification). */
export function toNoticeType(row: NoticeRow): ExchangeNoticeType & { row: NoticeRow } {
  const s = row.summary;
  const byEntity = Object.entries(s.byEntity).flatMap(([entity, ops]) =>
    Object.entries(ops).map(([op, count]) => ({
      key: `${entity}/${op}`,
      label: `${loggedEntityByType(entity)?.label ?? entity} ${(ChangeOperation.labels as Record<string, string>)[op] ?? op}`,
      count,
    })),
  );
  return {
    row,
    id: row.id,
    number: row.number,
    period: row.period,
    dept: row.dept,
    region: regions.get(row.region)!,
    chainRanges: ((ranges) => chainsOf(ranges).map((chain) => ({ chain, fromSeq: ranges[chain][0], toSeq: ranges[chain][1] })))(rangesOf(row)),
    rootSeq: row.rootSeq,
    fromSeq: row.fromSeq,
    toSeq: row.toSeq,
    chainHeadHash: row.chainHeadHash,
    contentHash: row.contentHash,
    summary: {
      entries: s.entries,
      byEntityAndOperation: byEntity.sort((a, b) => (a.key < b.key ? -1 : 1)),
      newChildren: s.newChildren,
      newDropoutCases: counts(s.newDropoutCases, reasonLabel),
      returnsToSchool: s.returnsToSchool,
      closuresByReason: counts(s.closuresByReason, reasonLabel),
      specialGroupStatusChanges: s.specialGroupStatusChanges,
      discrepancies: s.discrepancies ?? null,
      actions: s.actions ?? null,
    },
    issuedAt: row.issuedAt,
    acknowledgedAt: row.acknowledgedAt,
    acknowledgedBy: row.acknowledgedBy,
    remarks: row.remarks,
    overdue: !row.acknowledgedAt && Date.now() - new Date(row.issuedAt).getTime() > OVERDUE_DAYS * 86_400_000,
  };
}

/** A notice's child as the API shows it: its counties as regions. */
export function toNoticeChildType(child: NoticeChild): NoticeChildType {
  const region = (code: string | null) => (code ? (regions.get(code) ?? null) : null);
  return { ...child, hukouRegion: region(child.hukouRegion), residenceRegion: region(child.residenceRegion) };
}
