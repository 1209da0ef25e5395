import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { ChildView } from '../children/child.type';
import { MAX_PAGE_SIZE } from '../core/connection';
import { DisabilityRecordType } from '../departments/disability/disability.type';
import { HealthRecordType } from '../departments/health/health.type';
import type { AppContext } from './sensitive-read.context';
import type { SectionRow } from '../departments/section.loader';
import type { SensitiveField } from './sensitive-read.collector';
import { SensitiveReadConnection, SensitiveReadFilter } from './sensitive-read.type';

/** Returns the value, and notes it for the audit when it leaves unmasked. */
function audited(ctx: AppContext, field: SensitiveField, childId: string, value: string | null): string | null {
  const reader = ctx.reader();
  const level = reader.access.level(field);
  if (value !== null && (level === 'R' || level === 'W')) reader.audit.record(childId, field);
  return value;
}

@Resolver(() => ChildView)
export class ChildIdNumberAudit {
  @FieldResolver(() => String, { nullable: true, description: '公民身份号码，按权限可能打码或不可见；未打码的读取记入审计 ID-card number; masked or withheld by permission; unmasked reads are audited' })
  idNumber(@Root() child: ChildView, @Ctx() ctx: AppContext): string | null {
    return audited(ctx, 'Child.idNumber', child.id, child.idNumber);
  }
}

@Resolver(() => HealthRecordType)
export class DiagnosisAudit {
  @FieldResolver(() => String, { nullable: true, description: '诊断摘要（仅卫健及专家组可见；读取记入审计）Diagnosis summary (health and expert panel only; reads are audited)' })
  diagnosisSummary(@Root() row: HealthRecordType & SectionRow, @Ctx() ctx: AppContext): string | null {
    return audited(ctx, 'HealthRecord.diagnosisSummary', row.childId, row.diagnosisSummary);
  }
}

@Resolver(() => DisabilityRecordType)
export class CertificateAudit {
  @FieldResolver(() => String, { nullable: true, description: '残疾人证号，按权限可能打码；未打码的读取记入审计 Disability certificate number; masked by permission; unmasked reads are audited' })
  certificateNo(@Root() row: DisabilityRecordType & SectionRow, @Ctx() ctx: AppContext): string | null {
    return audited(ctx, 'DisabilityRecord.certificateNo', row.childId, row.certificateNo);
  }
}

@Resolver()
export class SensitiveReadResolver {
  @Query(() => SensitiveReadConnection, { description: '敏感字段读取审计（督导，辖区内）Audit of sensitive reads in your region (supervisors)' })
  sensitiveReads(
    @Ctx() ctx: AppContext,
    @Arg('filter', () => SensitiveReadFilter, { nullable: true, description: '筛选 Filters' }) filter?: SensitiveReadFilter,
    @Arg('first', () => Int, { defaultValue: 50, description: `每页条数（1–${MAX_PAGE_SIZE}）Page size` }) first = 50,
    @Arg('after', () => String, { nullable: true, description: '上一页的 endCursor' }) after?: string | null,
  ): Promise<SensitiveReadConnection> {
    return ctx.services.sensitiveReads.page(ctx.reader(), filter, first, after);
  }
}
