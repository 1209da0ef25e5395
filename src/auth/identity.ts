/** The departments that share the ledger (DESIGN.md section 1). */
export const DEPARTMENTS = ['EDU', 'PSB', 'CIVIL', 'POVERTY', 'HEALTH', 'DPF'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export const DEPARTMENT_NAMES: Readonly<Record<Department, string>> = {
  EDU: '教育', PSB: '公安', CIVIL: '民政', POVERTY: '扶贫', HEALTH: '卫健', DPF: '残联',
};

/** What a person does in the hub; each role widens or narrows the department's view (DESIGN.md section 6). */
export const ROLES = ['clerk', 'liaison', 'analyst', 'expert', 'supervisor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking: taken from a verified token, never from anything the client can change. */
export interface Identity {
  readonly sub: string;
  readonly dept: Department;
  /** 6-digit region code: province, city or county. */
  readonly region: string;
  readonly roles: readonly Role[];
}

export function isDepartment(value: unknown): value is Department {
  return typeof value === 'string' && (DEPARTMENTS as readonly string[]).includes(value);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
