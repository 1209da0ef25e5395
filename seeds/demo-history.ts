import type { Identity } from '../src/auth/identity';
import { DEMO_IDENTITIES } from '../src/auth/demo-identities';
import { ChildService } from '../src/children/child.service';
import type { RegisterChildInput } from '../src/children/child.input';
import { makeIdNumber } from '../src/children/id-number';
import { Clock } from '../src/core/clock';
import type { Actor } from '../src/core/unit-of-work';
import type { Database } from '../src/db/database';
import { SectionService } from '../src/departments/section.service';
import { civilAffairsSection } from '../src/departments/civil-affairs/civil-affairs.section';
import { educationSection } from '../src/departments/education/education.section';
import { healthSection } from '../src/departments/health/health.section';
import { publicSecuritySection } from '../src/departments/public-security/public-security.section';
import { DropoutCaseService } from '../src/ledger/dropout-case.service';
import type { OpenDropoutCaseInput, PersuasionVisitInput, TransitionDropoutCaseInput } from '../src/ledger/dropout-case.input';
import { NoticeService } from '../src/notices/notice.service';
import type { RootSigner } from '../src/notices/notice.cut';
import { DEMO_RECORD_CHILD_ID } from '../src/web/explorer';

/**
 * The demo's recent past: three months of ordinary work on the loaded ledger, written through the
 * hub's own services (so through the change-log writer, chained and hashed as any request's
 * writes), each change dated on its day, and each month's exchange notices issued after it. A
 * newcomer's change log, change feed, as-of reads and liaison page then have something to show.
 */

const NEW_CHILDREN_IDS = [
  DEMO_RECORD_CHILD_ID,
  '0d3c5e1a-7b2f-4c6d-8e9a-2f4b6c8d0e12',
  '0d3c5e1a-7b2f-4c6d-8e9a-2f4b6c8d0e13',
  '0d3c5e1a-7b2f-4c6d-8e9a-2f4b6c8d0e14',
  '0d3c5e1a-7b2f-4c6d-8e9a-2f4b6c8d0e15',
  '0d3c5e1a-7b2f-4c6d-8e9a-2f4b6c8d0e16',
];
const NAMES: ReadonlyArray<readonly [string, 'MALE' | 'FEMALE']> = [['陈思远', 'MALE'], ['林雨桐', 'FEMALE'], ['黄子轩', 'MALE'], ['郑欣怡', 'FEMALE'], ['吴浩然', 'MALE'], ['刘佳琪', 'FEMALE']];

const identity = (sub: string): Identity => {
  const found = DEMO_IDENTITIES.find((d) => d.sub === sub);
  if (!found) throw new Error(`no demo identity ${sub}`);
  return { sub: found.sub, dept: found.dept, region: found.region, roles: found.roles };
};

/** `YYYY-MM` of the month `back` months before the month of `day`. */
function monthBefore(day: string, back: number): string {
  const index = Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1 - back;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** One working day of the history: its services see that day as today, and its entries carry it. */
function workday(db: Database, day: string) {
  const clock = new Clock(day);
  const at = new Date(`${day}T10:00:00+08:00`);
  const as = (sub: string, reason: string): Actor => ({ identity: identity(sub), requestId: `demo-history-${day}`, reason, at });
  return {
    day,
    as,
    children: new ChildService(db.orm, db.sql, clock),
    sections: new SectionService(db.orm, db.sql),
    cases: new DropoutCaseService(db.orm, clock),
  };
}

/** Loaded demo children of Gulou to work on, chosen by what their rows say (the loaded data is deterministic). */
async function pick(db: Database, where: string, count: number): Promise<string[]> {
  const rows = await db.sql.query<{ id: string }>(
    `SELECT c.id FROM hub.child c LEFT JOIN edu.education_record e ON e.child_id = c.id LEFT JOIN civil.civil_affairs_record v ON v.child_id = c.id
      LEFT JOIN health.health_record h ON h.child_id = c.id LEFT JOIN psb.public_security_record p ON p.child_id = c.id
      WHERE c.residence_region = '350102' AND c.created_by = 'seed' AND ${where} ORDER BY c.id LIMIT ${count}`, []);
  return rows.map((r) => r.id);
}

/** An ID number no loaded child has (the loaded ones are drawn at random): the sequence's last digit odd for a boy. */
async function freeIdNumber(db: Database, county: string, birthDate: string, gender: 'MALE' | 'FEMALE'): Promise<string> {
  for (let sequence = gender === 'MALE' ? 301 : 300; sequence < 1000; sequence += 2) {
    const idNumber = makeIdNumber(county, birthDate, sequence);
    const [taken] = await db.sql.query('SELECT 1 FROM hub.child WHERE id_number = $1', [idNumber]);
    if (!taken) return idNumber;
  }
  throw new Error(`demo history: no free ID number for ${county} ${birthDate}`);
}

/**
 * Writes the history into a database that holds the loaded demo children and no change-log entry.
 * Months: the three before the month of `today`. Returns the entries written.
 */
export async function seedDemoHistory(db: Database, today: string, roots: RootSigner): Promise<number> {
  const months = [3, 2, 1].map((back) => monthBefore(today, back));
  const schoolYear = (day: string) => Number(new Clock(day).schoolYearStart().slice(0, 4));
  const notices = new NoticeService(db.orm, db.sql, new Clock(today), roots);
  const supervisor = identity('demo-edu-supervisor');
  const dropouts = await pick(db, `e.status = 'DROPPED_OUT'`, 2);
  const noCivilRecord = await pick(db, 'v.child_id IS NULL AND e.status = \'ENROLLED\'', 3);
  const noHealthRecord = await pick(db, 'h.child_id IS NULL AND e.status = \'ENROLLED\'', 2);
  const unverified = await pick(db, 'p.child_id IS NOT NULL AND p.verified_on IS NULL', 2);

  for (const [m, month] of months.entries()) {
    const early = workday(db, `${month}-08`);
    const late = workday(db, `${month}-22`);
    // Police register the month's newly found school-age children; education enrols them.
    const newcomers: RegisterChildInput[] = [];
    for (const [i, id] of NEW_CHILDREN_IDS.slice(m * 2, m * 2 + 2).entries()) {
      const [name, gender] = NAMES[m * 2 + i];
      const birthDate = `${schoolYear(early.day) - 9 - i}-0${3 + m}-1${i + 1}`;
      const county = id === DEMO_RECORD_CHILD_ID ? '350103' : '350102';
      newcomers.push({
        id, name, gender, birthDate, idNumber: await freeIdNumber(db, county, birthDate, gender),
        hukouRegion: county, residenceRegion: '350102', township: '350102001',
      } as RegisterChildInput);
    }
    await early.children.register(early.as('demo-psb-clerk', '入户核查新发现适龄儿童 children found by the household check'), newcomers);
    await early.sections.upsert(early.as('demo-edu-clerk', '新登记儿童入学 newly registered children enrolled'), educationSection,
      newcomers.map((c, i) => ({ childId: c.id!, status: 'ENROLLED', stage: 'PRIMARY', grade: 3 + i, schoolName: '鼓楼区第二中心小学' })));
    await early.sections.upsert(early.as('demo-psb-clerk', '户籍核查 household registration checked'), publicSecuritySection,
      newcomers.map((c) => ({ childId: c.id!, hukouStatus: 'REGISTERED', whereabouts: 'PRESENT', verifiedOn: early.day })));
    if (m === 1) {
      const child = DEMO_RECORD_CHILD_ID;
      await early.sections.upsert(early.as('demo-edu-clerk', '劝返复学 returned to school'), educationSection, [{ childId: child, status: 'ENROLLED' }]);
      const [{ id: caseId, version }] = await db.sql.query<{ id: string; version: number }>('SELECT id, version FROM edu.dropout_case WHERE child_id = $1', [child]);
      await early.cases.transition(early.as('demo-edu-clerk', '已返校 back at school'), { caseId, status: 'RETURNED', expectedVersion: version, closedOn: early.day } as TransitionDropoutCaseInput);
    }
    // Civil affairs adds a child to the left-behind roster; health records a screening.
    if (m < noCivilRecord.length) {
      await late.sections.upsert(late.as('demo-civil-clerk', '留守儿童摸排 left-behind roster updated'), civilAffairsSection,
        [{ childId: noCivilRecord[m], leftBehind: true, deFactoUnsupported: false, migrant: false, parentImprisoned: false, orphan: false, subsistenceAllowance: m === 2 }]);
    }
    if (m < noHealthRecord.length) {
      await late.sections.upsert(late.as('demo-health-clerk', '学生体检 school health screening'), healthSection,
        [{ childId: noHealthRecord[m], seriousIllness: false, diagnosisSummary: '体检未见异常', screenedOn: late.day }]);
    }
    if (m < unverified.length) {
      await late.sections.upsert(late.as('demo-psb-clerk', '去向核查 whereabouts verified'), publicSecuritySection,
        [{ childId: unverified[m], whereabouts: 'PRESENT', verifiedOn: late.day }]);
    }
    // A loaded dropout comes back to school.
    if (m < dropouts.length) {
      await late.sections.upsert(late.as('demo-edu-clerk', '劝返复学 returned to school'), educationSection, [{ childId: dropouts[m], status: 'ENROLLED' }]);
    }
    // The record child stops coming to school: a case, a township visit, and (the next month) the return.
    if (m === 0) {
      const child = DEMO_RECORD_CHILD_ID;
      await late.sections.upsert(late.as('demo-edu-clerk', '连续旷课 absent for weeks'), educationSection, [{ childId: child, status: 'DROPPED_OUT' }]);
      await late.cases.open(late.as('demo-edu-clerk', '辍学立案 dropout case opened'), [{
        childId: child, reason: 'STUDY_WEARINESS', openedOn: late.day, responsiblePerson: '王老师', responsibleUnit: '鼓楼区第二中心小学', notes: '厌学，家长外出务工',
      } as OpenDropoutCaseInput]);
      const [{ id: caseId }] = await db.sql.query<{ id: string }>('SELECT id FROM edu.dropout_case WHERE child_id = $1', [child]);
      const visit = workday(db, `${month}-26`);
      await visit.cases.recordVisits(visit.as('demo-township-clerk', '入户劝返 home visit'), [{
        caseId, visitedOn: visit.day, visitor: '鼓东街道 张主任', method: 'HOME_VISIT', outcome: 'AGREED_TO_RETURN', notes: '家长同意下周送孩子返校',
      } as PersuasionVisitInput]);
    }
    await notices.issue(supervisor, month);
  }
  const [{ n }] = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log', []);
  return n;
}
