import { loadConfig, usesLocalKeys } from '../config';
import { DEMO_IDENTITIES } from './demo-identities';
import { isDepartment, isRole, type Role } from './identity';
import { loadOrCreateLocalKey } from './keys';
import { signToken } from './tokens';
import { regions } from '../regions/region.registry';

/**
 * `npm run token -- --dept EDU --region 350102 --roles clerk [--sub NAME] [--hours 12]`
 * or `npm run token -- --demo demo-edu-clerk`: prints a token signed by the local key.
 */
async function main(): Promise<void> {
  const args = new Map<string, string>();
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) args.set(argv[i].replace(/^--/, ''), argv[i + 1] ?? '');
  const config = loadConfig();
  if (!usesLocalKeys(config)) throw new Error('tokens come from your identity provider when JWT_JWKS_URL or JWT_PUBLIC_KEY_FILE is set');
  const demo = args.get('demo');
  let request;
  if (demo) {
    request = DEMO_IDENTITIES.find((d) => d.sub === demo);
    if (!request) throw new Error(`unknown demo identity ${demo}; one of: ${DEMO_IDENTITIES.map((d) => d.sub).join(', ')}`);
  } else {
    const dept = args.get('dept');
    const region = args.get('region') ?? '';
    const roles = (args.get('roles') ?? 'clerk').split(',');
    if (!isDepartment(dept)) throw new Error('--dept must be one of EDU PSB CIVIL POVERTY HEALTH DPF');
    if (!regions.get(region)) throw new Error('--region must be a Fujian division code such as 350102');
    if (!roles.every(isRole)) throw new Error('--roles must be a comma-separated list of clerk, liaison, analyst, expert, supervisor');
    const hours = Number(args.get('hours') ?? 12);
    request = { sub: args.get('sub') ?? `${dept.toLowerCase()}-${region}-${roles.join('-')}`, dept, region, roles: roles as Role[], ttlSeconds: Math.round(hours * 3600) };
  }
  const { signing } = await loadOrCreateLocalKey(config.dataDir);
  process.stdout.write((await signToken(signing, config.jwt, request)) + '\n');
}

main().catch((error) => {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
