import type http from 'node:http';

/** Placeholder: the offline GraphiQL explorer page. */
export function explorerPage(options: { demoTokens: boolean }): string {
  return `<!doctype html><title>保学 Baoxue</title><p>GraphQL endpoint: POST /graphql${options.demoTokens ? ' (demo tokens at /explorer/demo-tokens)' : ''}</p>`;
}

export function serveExplorerAsset(_pathname: string, _res: http.ServerResponse): boolean {
  return false;
}
