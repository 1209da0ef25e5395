import semver from 'semver';
import lock from '../package-lock.json';
import manifest from '../package.json';

/**
 * `npm install` warns (EBADENGINE) when an installed package wants a Node the project does not:
 * every package the hub runs on must accept every Node version package.json's `engines` declares.
 * Dev-only packages are left out: jest 30 skips Node 23, which nobody deploys (not an LTS line).
 */
describe('engines', () => {
  it("every runtime package in the lock file supports every Node version the project declares", () => {
    const declared = manifest.engines.node;
    const narrower = Object.entries(lock.packages as Record<string, { version?: string; dev?: boolean; engines?: { node?: string } | string[] }>)
      .filter(([name, pkg]) => name !== '' && !pkg.dev && !Array.isArray(pkg.engines) && pkg.engines?.node)
      .filter(([, pkg]) => !semver.subset(declared, (pkg.engines as { node: string }).node))
      .map(([name, pkg]) => `${name}@${pkg.version} wants node ${(pkg.engines as { node: string }).node}`);
    expect(narrower).toEqual([]);
  });
});
