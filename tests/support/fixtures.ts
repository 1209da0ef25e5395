import { randomUUID } from 'node:crypto';
import { makeIdNumber } from '../../src/children/id-number';

let sequence = 100;

/** A valid registration for a child aged about ten in the tests' school year, in Gulou (350102) by default. */
export function childInput(overrides: Partial<{ id: string; idNumber: string | null; name: string; gender: 'MALE' | 'FEMALE'; birthDate: string; hukouRegion: string; residenceRegion: string }> = {}) {
  const birthDate = overrides.birthDate ?? '2016-05-20';
  const hukouRegion = overrides.hukouRegion ?? '350102';
  const gender = overrides.gender ?? 'MALE';
  // Odd sequence digits are men, even women (GB 11643).
  sequence += 2;
  const seq = gender === 'MALE' ? sequence + 1 : sequence;
  return {
    id: overrides.id ?? randomUUID(),
    idNumber: overrides.idNumber === undefined ? makeIdNumber(hukouRegion, birthDate, seq % 1000) : overrides.idNumber,
    name: overrides.name ?? '林小明',
    gender,
    birthDate,
    hukouRegion,
    residenceRegion: overrides.residenceRegion ?? hukouRegion,
  };
}

export const REGISTER = `mutation Register($records: [RegisterChildInput!]!, $key: String) {
  registerChildren(records: $records, idempotencyKey: $key) { replayed children { id idNumber name version } }
}`;

export const FULL_CHILD = `query Child($id: ID!) {
  child(id: $id) {
    id idNumber name gender birthDate version
    hukouRegion { code name } residenceRegion { code }
    education { status stage grade schoolName version updatedBy }
    publicSecurity { hukouStatus whereabouts verifiedOn version }
    civilAffairs { leftBehind deFactoUnsupported migrant parentImprisoned orphan subsistenceAllowance version }
    poverty { registeredPoor monitoredHousehold householdId version }
    health { seriousIllness diagnosisSummary screenedOn version }
    disability { disabilityType disabilityLevel certificateNo version }
    dropoutCases { id reason status openedOn }
  }
}`;
