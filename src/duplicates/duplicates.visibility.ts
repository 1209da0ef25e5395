import type { Access } from '../permissions/access';

/**
 * What a pair shows: both children's name, gender, birth date, counties and ID numbers, and the
 * features computed from them. A reader sees pairs only if it reads rows and may read every one of
 * these unmasked (EDU, PSB, DPF; not the departments that see ID numbers masked, whose features
 * "one digit apart" would tell them about digits the mask hides), and only pairs whose two
 * children are both in its region (a pair with a child outside it would say that child exists).
 */
export const PAIR_FIELDS = ['Child.name', 'Child.gender', 'Child.birthDate', 'Child.hukouRegion', 'Child.residenceRegion', 'Child.township', 'Child.idNumber'] as const;

export function seesDuplicates(access: Access): boolean {
  return access.readsRows && PAIR_FIELDS.every((f) => access.level(f) === 'R' || access.level(f) === 'W');
}

/**
 * Deciding a pair changes both children's register: the clerks who keep it, down to the township
 * the child lives in (EDU, PSB: the matrix's writers of `Child.name` and `Child.township`), and
 * supervisors. Writing a name alone is not enough: every department may register a child it finds
 * (issue 14), but only the register's keepers merge two into one.
 */
export function decidesDuplicates(access: Access): boolean {
  return seesDuplicates(access) && ((access.canWrite('Child.name') && access.canWrite('Child.township')) || access.roles.includes('supervisor'));
}
