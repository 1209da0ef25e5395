import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEMO_IDENTITIES } from './demo-identities';

/**
 * `npm run -s token` as the README pastes it: the CLI runs in its own process (through ts-node, as
 * building would race the other tests), and what a shell captures with `$(…)` is checked.
 */
const root = path.resolve(__dirname, '../..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'baoxue-token-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function token(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const run = promisify(execFile)(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', 'src/auth/token.cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'development', DATA_DIR: dataDir, JWT_JWKS_URL: '', JWT_PUBLIC_KEY_FILE: '' },
  });
  try {
    const { stdout, stderr } = await run;
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+\n$/;

describe('npm run token', () => {
  it('prints the token alone on stdout, for a demo identity and for --dept/--region/--roles/--sub/--hours', async () => {
    const demo = await token('--demo', 'demo-edu-clerk');
    expect(demo).toMatchObject({ code: 0, stderr: '' });
    expect(demo.stdout).toMatch(JWT);
    const custom = await token('--dept', 'PSB', '--region', '350103', '--roles', 'clerk,liaison', '--sub', 'someone', '--hours', '2');
    expect(custom.code).toBe(0);
    expect(custom.stdout).toMatch(JWT);
    const claims = JSON.parse(Buffer.from(custom.stdout.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'someone', dept: 'PSB', region: '350103', roles: ['clerk', 'liaison'] });
    expect(claims.exp - claims.iat).toBe(2 * 3600);
  }, 60_000);

  it('answers --help with the usage, naming every option', async () => {
    const help = await token('--help');
    expect(help.code).toBe(0);
    for (const option of ['--dept', '--region', '--roles', '--sub', '--hours', '--demo', 'npm run -s token']) expect(help.stdout).toContain(option);
  }, 60_000);

  it('answers a bad region, department, role, lifetime or argument as a usage error on stderr, not as Unauthenticated', async () => {
    for (const args of [
      ['--dept', 'EDU', '--region', '999999'],
      ['--dept', 'TOWNSHIP', '--region', '350102'],
      ['--dept', 'XYZ', '--region', '350102'],
      ['--dept', 'EDU', '--region', '350102', '--roles', 'boss'],
      ['--dept', 'EDU', '--region', '350102', '--hours', 'soon'],
      ['--dept', 'EDU', '--region', '350102', '--hour', '2'],
    ]) {
      const bad = await token(...args);
      expect({ args, code: bad.code, stdout: bad.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(bad.stderr).not.toMatch(/Unauthenticated|未认证/);
      expect(bad.stderr).toMatch(/Usage/);
    }
    const region = await token('--dept', 'EDU', '--region', '999999');
    expect(region.stderr).toContain('--region');
    expect(region.stderr).toContain('999999');
  }, 120_000);

  it('is shown in the README as `npm run -s token`, so that $(…) captures no npm banner', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const uses = readme.match(/npm run (-s )?token\b/g) ?? [];
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.filter((use) => use !== 'npm run -s token')).toEqual([]);
  });

  it("lists in the README's demo table exactly the identities the explorer and --demo offer", () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `(demo-[\w-]+)` \| (\w+) [^|]*\| (\d+) [^|]*\| ([\w, ]+) \|$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]}`);
    expect(rows.sort()).toEqual(DEMO_IDENTITIES.map((d) => `${d.sub} ${d.dept} ${d.region} ${d.roles.join(', ')}`).sort());
  });
});
