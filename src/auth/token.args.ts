import { regions } from '../regions/region.registry';
import { ROLE_RULES } from '../permissions/matrix';
import { DEMO_IDENTITIES } from './demo-identities';
import { ALL_DEPARTMENTS, isDepartment, isRole, ROLES, TOWNSHIP, TOWNSHIP_CODE, type Role } from './identity';
import type { TokenRequest } from './tokens';

export const TOKEN_USAGE = `用法 Usage:
  npm run -s token -- --dept EDU --region 350102 [--roles clerk] [--sub NAME] [--hours 12]
  npm run -s token -- --demo demo-edu-clerk
  npm run -s token -- --help

Prints a token signed by the hub's local key (DATA_DIR) on stdout, and nothing else there:
  TOKEN=$(npm run -s token -- --demo demo-edu-clerk)

  --dept    部门 department: ${ALL_DEPARTMENTS.join(' ')}
  --region  地区 6-digit region code (province, city or county, e.g. 350102 鼓楼区);
            for TOWNSHIP the 9-digit township code (e.g. 350102001)
  --roles   角色 comma-separated: ${ROLES.join(', ')} (default clerk)
  --sub     用户 the token's subject (default DEPT-REGION-ROLES)
  --hours   有效期 lifetime in hours, more than 0 and at most 720 (default 12)
  --demo    演示身份 one of: ${DEMO_IDENTITIES.map((d) => d.sub).join(', ')}
`;

/** A command line the token CLI cannot act on: shown with the usage, exit status 2. */
export class TokenUsageError extends Error {}

const OPTIONS = new Set(['dept', 'region', 'roles', 'sub', 'hours', 'demo', 'help']);

/** Reads the token CLI's arguments into a request, `'help'`, or a TokenUsageError naming the option. */
export function parseTokenArgs(argv: readonly string[]): TokenRequest | 'help' {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([a-z]+)$/.exec(argv[i])?.[1];
    if (!name || !OPTIONS.has(name)) throw new TokenUsageError(`未知参数 unknown argument "${argv[i]}"`);
    if (name === 'help') return 'help';
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new TokenUsageError(`--${name} 缺少取值 needs a value`);
    args.set(name, value);
    i++;
  }
  const demo = args.get('demo');
  if (demo !== undefined) {
    if (args.size > 1) throw new TokenUsageError('--demo 不能与其他参数同用 takes no other option');
    const identity = DEMO_IDENTITIES.find((d) => d.sub === demo);
    if (!identity) throw new TokenUsageError(`--demo 未知演示身份 unknown demo identity "${demo}"; one of: ${DEMO_IDENTITIES.map((d) => d.sub).join(', ')}`);
    return { sub: identity.sub, dept: identity.dept, region: identity.region, roles: identity.roles };
  }
  const dept = args.get('dept');
  if (!isDepartment(dept)) throw new TokenUsageError(`--dept 部门无效 must be one of ${ALL_DEPARTMENTS.join(' ')}${dept === undefined ? '' : `, got "${dept}"`}`);
  const region = args.get('region') ?? '';
  if (dept === TOWNSHIP ? !TOWNSHIP_CODE.test(region) || !regions.isCounty(region.slice(0, 6)) : !/^\d{6}$/.test(region) || !regions.get(region)) {
    throw new TokenUsageError(dept === TOWNSHIP
      ? `--region 乡镇代码无效 must be a 9-digit township code within a Fujian county (e.g. 350102001), got "${region}"`
      : `--region 地区代码无效 must be a Fujian 6-digit region code (province, city or county, e.g. 350102), got "${region}"`);
  }
  const roles = (args.get('roles') ?? 'clerk').split(',');
  if (!roles.every(isRole)) throw new TokenUsageError(`--roles 角色无效 must be a comma-separated list of ${ROLES.join(', ')}, got "${roles.join(',')}"`);
  const misplaced = roles.find((role) => ROLE_RULES[role].departments && !ROLE_RULES[role].departments!.includes(dept));
  if (misplaced) throw new TokenUsageError(`--roles 角色 ${misplaced} does not exist in department ${dept}`);
  const hoursText = args.get('hours') ?? '12';
  const hours = Number(hoursText);
  if (!/^\d+(\.\d+)?$/.test(hoursText) || !(hours > 0 && hours <= 720)) throw new TokenUsageError(`--hours 有效期无效 must be a number of hours above 0 and at most 720, got "${hoursText}"`);
  const sub = args.get('sub') ?? `${dept.toLowerCase()}-${region}-${roles.join('-')}`;
  if (sub.length === 0 || sub.length > 200) throw new TokenUsageError('--sub 用户名无效 must be 1 to 200 characters');
  return { sub, dept, region, roles: roles as Role[], ttlSeconds: Math.round(hours * 3600) };
}
