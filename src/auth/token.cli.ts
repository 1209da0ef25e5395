import { loadConfig, usesLocalKeys } from '../config';
import { loadOrCreateLocalKey } from './keys';
import { parseTokenArgs, TOKEN_USAGE, TokenUsageError } from './token.args';
import { identityFromClaims, signToken } from './tokens';

/**
 * `npm run -s token -- --dept EDU --region 350102 --roles clerk [--sub NAME] [--hours 12]`
 * or `npm run -s token -- --demo demo-edu-clerk`: prints a token signed by the local key.
 * Only the token goes to stdout, so that `TOKEN=$(npm run -s token -- …)` captures it alone;
 * usage and errors go to stderr (exit 2 for a bad command line, 1 for anything else).
 */
async function main(): Promise<void> {
  const request = parseTokenArgs(process.argv.slice(2));
  if (request === 'help') {
    process.stdout.write(TOKEN_USAGE);
    return;
  }
  const config = loadConfig();
  if (!usesLocalKeys(config)) throw new Error('令牌由身份提供方签发 tokens come from your identity provider when JWT_JWKS_URL or JWT_PUBLIC_KEY_FILE is set');
  // The same checks the hub makes on a token's claims, so a token made here is one it accepts.
  identityFromClaims({ ...request });
  const { signing } = await loadOrCreateLocalKey(config.dataDir);
  process.stdout.write((await signToken(signing, config.jwt, request)) + '\n');
}

main().catch((error) => {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof TokenUsageError) process.stderr.write(`\n${TOKEN_USAGE}`);
  process.exit(error instanceof TokenUsageError ? 2 : 1);
});
