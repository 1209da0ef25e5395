/**
 * jose 6 is published as ES modules only. Compiled CommonJS on Node 20.19+ may `require` it, and
 * Jest transforms it (see tests/jest.config.js); loading it through one function keeps that
 * detail in one place.
 */
export type Jose = typeof import('jose');

let loaded: Jose | null = null;

export async function jose(): Promise<Jose> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('jose') as Jose;
  return loaded;
}
