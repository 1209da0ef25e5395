import { loadConfig, usesLocalKeys } from '../config';
import { DEMO_IDENTITIES } from './demo-identities';
import { ALL_DEPARTMENTS, isDepartment, isRole, type Role } from './identity';
import { loadOrCreateLocalKey } from './keys';
import { identityFromClaims, signToken } from './tokens';

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
    if (!isDepartment(dept)) throw new Error(`--dept must be one of ${ALL_DEPARTMENTS.join(' ')}`);
    if (!roles.every(isRole)) throw new Error('--roles must be a comma-separated list of clerk, liaison, analyst, expert, supervisor');
    // The same checks the hub makes on a token's claims, so a token made here is one it accepts.
    identityFromClaims({ sub: 'check', dept, region, roles });
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
