import { DropoutReason, DropoutStatus, Placement, TRANSITIONS } from './dropout-case.enums';
import { Clock } from '../core/clock';
import { ConfigError, loadConfig } from '../config';
import { type CaseFacts, transitionProblem } from './dropout-case.workflow';

const panel = (decision: string, complete = true) => ({
  decision,
  evidence: complete ? [{ type: 'PANEL_OPINION' }, { type: 'MEDICAL_DIAGNOSIS' }, { type: 'GUARDIAN_APPLICATION' }] : [{ type: 'PANEL_OPINION' }],
});
/** Facts under which every rule is satisfied, so that only the transition table decides. */
const everythingInPlace: CaseFacts = {
  educationStatus: 'ENROLLED',
  hukouStatus: 'RECORD_ERROR',
  whereabouts: 'PRESENT',
  assessments: ['DEFERRAL', 'SUSPENSION', 'HOME_TEACHING', 'SPECIAL_SCHOOL', 'MAINSTREAM_INCLUSION'].map((d) => panel(d)),
};

describe('dropout case state machine', () => {
  const statuses = DropoutStatus.list;
  it.each(statuses.flatMap((from) => statuses.map((to) => [from, to] as const)))('%s → %s is allowed exactly when the table says so', (from, to) => {
    const placement = to === 'PLACED' ? 'HOME_TEACHING' : null;
    const problem = transitionProblem({ reason: 'STUDY_WEARINESS', status: from, policeConfirmedOn: null }, to, placement, everythingInPlace);
    if (TRANSITIONS[from].includes(to)) expect(problem).toBeNull();
    else expect(problem).toMatch(TRANSITIONS[from].length ? /allowed next: / : /final state/);
  });

  it('names the allowed next states when refusing', () => {
    expect(transitionProblem({ reason: 'OTHER', status: 'DEFERRED', policeConfirmedOn: null }, 'CLOSED_NOT_DROPOUT', null, everythingInPlace))
      .toContain('PERSUADING, RETURNED, PLACED');
  });
});

describe('verification rules', () => {
  const open = (reason: string, policeConfirmedOn: string | null = null) => ({ reason: reason as never, status: 'PERSUADING' as const, policeConfirmedOn });
  const facts = (over: Partial<CaseFacts>): CaseFacts => ({ educationStatus: null, hukouStatus: 'REGISTERED', whereabouts: 'PRESENT', assessments: [], ...over });

  it.each(['MISSING', 'ABROAD', 'DECEASED', 'HUKOU_ERROR'])('closes a %s case as not a dropout only with the police\'s confirmation', (reason) => {
    expect(transitionProblem(open(reason), 'CLOSED_NOT_DROPOUT', null, facts({}))).toMatch(/police/);
    expect(transitionProblem(open(reason, '2026-10-01'), 'CLOSED_NOT_DROPOUT', null, facts({}))).toBeNull();
    const record = reason === 'HUKOU_ERROR' ? { hukouStatus: 'RECORD_ERROR' } : { whereabouts: reason };
    expect(transitionProblem(open(reason), 'CLOSED_NOT_DROPOUT', null, facts(record))).toBeNull();
  });

  it.each(['ILLNESS', 'DISABILITY'])('closes a %s case as not a dropout only on the expert panel\'s opinion (R06)', (reason) => {
    expect(transitionProblem(open(reason), 'CLOSED_NOT_DROPOUT', null, facts({}))).toMatch(/panel's opinion/);
    expect(transitionProblem(open(reason), 'CLOSED_NOT_DROPOUT', null, facts({ assessments: [{ decision: 'DEFERRAL', evidence: [{ type: 'MEDICAL_DIAGNOSIS' }] }] }))).toMatch(/panel's opinion/);
    expect(transitionProblem(open(reason), 'CLOSED_NOT_DROPOUT', null, facts({ assessments: [panel('MAINSTREAM_INCLUSION', false)] }))).toBeNull();
    expect(transitionProblem(open('STUDY_WEARINESS'), 'CLOSED_NOT_DROPOUT', null, facts({}))).toBeNull();
  });

  it('does not take one police finding for another', () => {
    expect(transitionProblem(open('DECEASED'), 'CLOSED_NOT_DROPOUT', null, facts({ whereabouts: 'ABROAD' }))).toMatch(/police/);
  });

  it('closes as returned only when the education record shows the child in school', () => {
    expect(transitionProblem(open('FAMILY_POVERTY'), 'RETURNED', null, facts({ educationStatus: 'DROPPED_OUT' }))).toMatch(/in school/);
    expect(transitionProblem(open('FAMILY_POVERTY'), 'RETURNED', null, facts({}))).toMatch(/in school/);
    for (const status of ['ENROLLED', 'MAINSTREAM_INCLUSION', 'SPECIAL_SCHOOL']) {
      expect(transitionProblem(open('FAMILY_POVERTY'), 'RETURNED', null, facts({ educationStatus: status }))).toBeNull();
    }
  });

  it.each([
    ['DEFERRED', null, 'DEFERRAL'],
    ['SUSPENDED', null, 'SUSPENSION'],
    ['PLACED', 'HOME_TEACHING', 'HOME_TEACHING'],
    ['PLACED', 'SPECIAL_SCHOOL', 'SPECIAL_SCHOOL'],
  ] as const)('needs a complete %s assessment (%s) for an ill child kept out of class', (to, placement, decision) => {
    expect(transitionProblem(open('ILLNESS'), to, placement as never, facts({}))).toMatch(/assessment/);
    expect(transitionProblem(open('ILLNESS'), to, placement as never, facts({ assessments: [panel(decision, false)] }))).toMatch(/complete evidence/);
    expect(transitionProblem(open('ILLNESS'), to, placement as never, facts({ assessments: [panel('MAINSTREAM_INCLUSION')] }))).toMatch(/assessment/);
    expect(transitionProblem(open('ILLNESS'), to, placement as never, facts({ assessments: [panel(decision)] }))).toBeNull();
  });

  it('needs a placement for PLACED and none otherwise', () => {
    expect(transitionProblem(open('DISABILITY'), 'PLACED', null, facts({}))).toMatch(/placement/);
    expect(transitionProblem(open('DISABILITY'), 'RETURNED', 'SPECIAL_SCHOOL', facts({ educationStatus: 'ENROLLED' }))).toMatch(/only PLACED/);
  });

  it('sets the deadline to 31 July of the school year, or the configured day', () => {
    expect(new Clock('2026-10-15').caseDeadline()).toBe('2027-07-31');
    expect(new Clock('2027-03-01').caseDeadline()).toBe('2027-07-31');
    expect(new Clock('2027-09-01').caseDeadline()).toBe('2028-07-31');
    expect(new Clock('2026-10-15', loadConfig({ CASE_DEADLINE: '06-30' }).caseDeadline).caseDeadline()).toBe('2027-06-30');
    expect(loadConfig({}).caseDeadline).toBe('07-31');
    for (const bad of ['7-31', '09-15', '02-30', '06-31', 'July']) expect(() => loadConfig({ CASE_DEADLINE: bad })).toThrow(ConfigError);
  });

  it('covers every reason and placement the enums define', () => {
    expect(DropoutReason.list).toContain('TO_BE_VERIFIED');
    expect(Placement.list).toEqual(['HOME_TEACHING', 'SPECIAL_SCHOOL', 'MAINSTREAM_INCLUSION']);
  });
});
