import { DEPARTMENT_NAMES, ALL_DEPARTMENTS, ROLES } from '../auth/identity';
import { Access } from './access';
import { ACTION_MATRIX, FIELD_MATRIX, ROLE_RULES, type Level } from './matrix';

const SHOW: Readonly<Record<Level, string>> = { W: 'W', R: 'R', M: 'M', '-': '–' };

/** The first field a matrix row names (`Type.{a,b}` → `Type.a`), whose level stands for the row. */
function firstField(key: string): string {
  const match = /^(\w+)\.(?:\{(\w+)[,}]|(\w+))/.exec(key)!;
  return `${match[1]}.${match[2] ?? match[3]}`;
}

/** The README's rendering of the permission matrix, computed from the same data the hub enforces. */
export function renderMatrix(): string {
  const clerks = ALL_DEPARTMENTS.map((d) => new Access(d, ['clerk']));
  const lines = [
    `| field | ${ALL_DEPARTMENTS.map((d) => `${d} ${DEPARTMENT_NAMES[d]}`).join(' | ')} |`,
    `|---|${ALL_DEPARTMENTS.map(() => '---').join('|')}|`,
    ...Object.keys(FIELD_MATRIX).map((key) => `| \`${key}\` | ${clerks.map((a) => SHOW[a.level(firstField(key))]).join(' | ')} |`),
    '',
    'W read and write (clerks of the owning department) · R read · M read masked (ID numbers `350102************`, certificate numbers `350102**********1243`, names `张*`) · – nothing (the field is null with a `FORBIDDEN` error).',
    '',
    '| role | what it changes |',
    '|---|---|',
    ...ROLES.map((role) => {
      const rule = ROLE_RULES[role];
      const parts = [rule.base === 'everything' ? 'reads every field' : "starts from its department's column", rule.cap === 'W' ? 'may write' : 'writes nothing'];
      for (const [field, level] of Object.entries(rule.narrow ?? {})) parts.push(`\`${field}\` at most ${SHOW[level]}`);
      for (const [field, level] of Object.entries(rule.widen ?? {})) parts.push(`\`${field}\` at least ${SHOW[level]}`);
      if (rule.departments) parts.push(`only in ${rule.departments.join(', ')}`);
      if (rule.rows === false) parts.push('no per-child row or field at all (`child`, `children`, `changeLog`, … refused): these levels are what `statistics` may count, with small cells suppressed');
      return `| \`${role}\` | ${rule.label}: ${parts.join('; ')} |`;
    }),
    '',
    `| supervision action | ${ALL_DEPARTMENTS.map((d) => `${d} ${DEPARTMENT_NAMES[d]}`).join(' | ')} |`,
    `|---|${ALL_DEPARTMENTS.map(() => '---').join('|')}|`,
    ...Object.entries(ACTION_MATRIX).map(([kind, line]) => `| \`${kind}\` | ${line.trim().split(/\s+/).map((c) => (c === '-' ? '–' : c)).join(' | ')} |`),
    '',
    'S its supervisors record and close it · W its clerks record and close it · A its clerks answer it (close it with an outcome) · R read · – nothing; supervisors of every department read every kind in their region.',
  ];
  return lines.join('\n');
}
