import { ALL_DEPARTMENTS, DEPARTMENTS } from '../auth/identity';
import { ACTION_MATRIX, type ActionKind } from '../permissions/matrix';
import { noticeActionKinds } from './notice.actions';

/** ACTION_MATRIX's cell of a department for a kind, read from the matrix's text itself. */
const cell = (kind: ActionKind, dept: string) => ACTION_MATRIX[kind].trim().split(/\s+/)[(ALL_DEPARTMENTS as readonly string[]).indexOf(dept)];

describe('which department\'s notice lists which kinds of action', () => {
  it('a referral the departments it may be sent to, the other kinds education; none to the police, health or the DPF', () => {
    expect(Object.fromEntries(DEPARTMENTS.map((d) => [d, noticeActionKinds(d).sort()]))).toEqual({
      EDU: ['CORRECTION_ORDER', 'COUNTY_INTERVIEW', 'GUARDIAN_ADMONITION'], PSB: [], CIVIL: ['ASSISTANCE_REFERRAL'], POVERTY: ['ASSISTANCE_REFERRAL'], HEALTH: [], DPF: [],
    });
  });

  it('never a kind ACTION_MATRIX denies the department', () => {
    for (const dept of DEPARTMENTS) for (const kind of noticeActionKinds(dept)) expect([dept, kind, cell(kind, dept)]).not.toEqual([dept, kind, '-']);
  });
});
