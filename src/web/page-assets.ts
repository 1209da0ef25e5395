import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The static files of one page of the hub's own (/liaison, /supervision): a fixed list, each at a
 * URL that carries a hash of its content (so browsers may keep it for a year), gzipped once, and
 * served from memory; no other path under the page's assets is ever answered.
 */
interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly gzipped: Buffer;
}

export class PageAssets {
  private readonly assets = new Map<string, Asset>();

  /** `prefix`: where the page's files are served, e.g. `/liaison/assets/`. */
  constructor(private readonly prefix: string) {}

  /** Adds a file; returns its URL. */
  add(name: string, ext: string, type: string, body: Buffer): string {
    const url = `${this.prefix}${name}-${createHash('sha256').update(body).digest('hex').slice(0, 12)}${ext}`;
    this.assets.set(url, { type, body, gzipped: gzipSync(body) });
    return url;
  }

  /** Serves one of the page's files; false (and nothing written) for any other path. */
  serve(pathname: string, res: http.ServerResponse): boolean {
    const asset = pathname.startsWith(this.prefix) ? this.assets.get(pathname) : undefined;
    if (!asset) return false;
    const gzip = /\bgzip\b/.test(String(res.req?.headers['accept-encoding'] ?? ''));
    const body = gzip ? asset.gzipped : asset.body;
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': body.length,
      'cache-control': 'public, max-age=31536000, immutable',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(body);
    return true;
  }
}

/**
 * A file of the page's own folder, src/web/<folder>, whether this module runs from src/web
 * (ts-jest, ts-node) or dist/src/web (tsc leaves non-TS files behind).
 */
export function ownFile(folder: string, file: string): Buffer {
  const candidates = [path.join(__dirname, folder), path.resolve(__dirname, '..', '..', '..', 'src', 'web', folder)];
  const found = candidates.find((dir) => existsSync(path.join(dir, file)));
  if (!found) throw new Error(`${folder} page file ${file} not found in ${candidates.join(' or ')}`);
  return readFileSync(path.join(found, file));
}

/** A file of an installed package, resolved through its package.json (dist files are outside the export maps). */
export const packageFile = (pkg: string, file: string) => readFileSync(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file));

/** JSON that may sit inside <script>: no "</script>" or "<!--" can appear in it. */
export const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
