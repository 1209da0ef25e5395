/**
 * The six departments that share the ledger and exchange the monthly notices (DESIGN.md section 1),
 * each with a column of the permission matrix and a section of the federated record.
 */
export const DEPARTMENTS = ['EDU', 'PSB', 'CIVIL', 'POVERTY', 'HEALTH', 'DPF'] as const;

/**
 * Township and street governments (乡镇人民政府、街道办事处) work the ledger too (二(三): they
 * persuade dropouts back), but keep no section and are not party to the monthly exchange. Their
 * users sit at a township, named by its 9-digit statistical code (county code + 3 digits).
 */
export const TOWNSHIP = 'TOWNSHIP' as const;

/** Every department a user may belong to: the matrix's columns. */
export const ALL_DEPARTMENTS = [...DEPARTMENTS, TOWNSHIP] as const;
export type Department = (typeof ALL_DEPARTMENTS)[number];
export type ExchangeDepartment = (typeof DEPARTMENTS)[number];

export const DEPARTMENT_NAMES: Readonly<Record<Department, string>> = {
  EDU: '教育', PSB: '公安', CIVIL: '民政', POVERTY: '扶贫', HEALTH: '卫健', DPF: '残联', TOWNSHIP: '乡镇',
};

/** What a person does in the hub; each role widens or narrows the department's view (DESIGN.md section 6). */
export const ROLES = ['clerk', 'liaison', 'analyst', 'expert', 'supervisor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking: taken from a verified token, never from anything the client can change. */
export interface Identity {
  readonly sub: string;
  readonly dept: Department;
  /** 6-digit region code (province, city or county), or a 9-digit township code for TOWNSHIP users. */
  readonly region: string;
  readonly roles: readonly Role[];
}

export function isDepartment(value: unknown): value is Department {
  return typeof value === 'string' && (ALL_DEPARTMENTS as readonly string[]).includes(value);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** A township code: 9 digits, the first six a county's. */
export const TOWNSHIP_CODE = /^\d{9}$/;
