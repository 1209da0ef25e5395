/**
 * A change-feed subscriber in its own process, as a department system would run one: connects to
 * a hub over WebSocket with graphql-ws' client and prints one JSON line per event on stdout:
 *   {"event":"connected"} · {"event":"next","payload":{...}} · {"event":"error","errors":[...]}
 *   {"event":"complete"} · {"event":"closed","code":4403,"reason":"Forbidden"}
 * Usage: node feed-client.js <ws-url> <token or "-"> <JSON of { query, variables }>
 * It exits when the subscription ends or the connection closes, or when stdin closes (its parent went away).
 */
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');

const [url, token, request] = process.argv.slice(2);
const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  lazy: false,
  retryAttempts: 0,
  connectionParams: token === '-' ? {} : { authorization: `Bearer ${token}` },
  on: {
    connected: () => print({ event: 'connected' }),
    closed: (event) => {
      print({ event: 'closed', code: event.code, reason: String(event.reason ?? '') });
      setTimeout(() => process.exit(0), 50);
    },
  },
  onNonLazyError: () => undefined,
});

client.subscribe(JSON.parse(request), {
  next: (payload) => print({ event: 'next', payload }),
  error: (error) => {
    if (Array.isArray(error)) print({ event: 'error', errors: error });
    else if (error && typeof error.code === 'number') print({ event: 'error', code: error.code, reason: String(error.reason ?? '') });
    else print({ event: 'error', message: String(error && error.message ? error.message : error) });
  },
  complete: () => {
    print({ event: 'complete' });
    client.dispose();
  },
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
