import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';

export const FEED = `subscription Feed($filter: ChangeFeedFilter, $afterSeq: Int, $after: String) {
  changeFeed(filter: $filter, afterSeq: $afterSeq, after: $after) {
    chain seq operation entity entityLabel entityId childId actorSub actorDept mutation reason version hukouRegion residenceRegion
    changes { field label before after }
  }
}`;

export interface FeedEvent {
  event: 'connected' | 'next' | 'error' | 'complete' | 'closed';
  payload?: { data?: { changeFeed?: Record<string, any> } | null; errors?: Array<{ message: string; extensions: { code: string } }> };
  errors?: Array<{ message: string; extensions?: { code: string } }>;
  code?: number;
  reason?: string;
}

/** A change-feed subscriber running in its own Node process (tests/support/feed-client.js). */
export class FeedProcess {
  readonly events: FeedEvent[] = [];
  /** Everything the process printed: checked for values that must never arrive. */
  raw = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered = '';
  private listeners: Array<() => void> = [];

  constructor(hubUrl: string, token: string | null, variables: Record<string, unknown> = {}, query = FEED) {
    const url = `${hubUrl.replace(/^http/, 'ws')}/graphql`;
    this.child = spawn(process.execPath, [path.join(__dirname, 'feed-client.js'), url, token ?? '-', JSON.stringify({ query, variables })], { stdio: 'pipe' });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.raw += chunk;
      this.buffered += chunk;
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.events.push(JSON.parse(line));
      this.listeners.forEach((notify) => notify());
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.exited.then(() => this.listeners.forEach((notify) => notify()));
  }

  /** The entries received, in order. */
  entries(): Array<Record<string, any>> {
    return this.events.filter((e) => e.event === 'next' && e.payload?.data?.changeFeed).map((e) => e.payload!.data!.changeFeed!);
  }

  seqs(): number[] {
    return this.entries().map((e) => e.seq);
  }

  /** Each entry received as `chain:seq`, in order. */
  keys(): string[] {
    return this.entries().map((e) => `${e.chain}:${e.seq}`);
  }

  /** The position to resume from, built as a client builds it: the highest seq received in each chain. */
  position(): string {
    const highest = new Map<string, number>();
    for (const e of this.entries()) highest.set(e.chain, Math.max(highest.get(e.chain) ?? 0, e.seq));
    return [...highest].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, s]) => `${c}:${s}`).join(',');
  }

  /** Waits until `done()` holds, failing with what was received after `timeoutMs`. */
  async until(done: (process: this) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (done(this)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== check);
        reject(new Error(`feed subscriber: timed out waiting for ${what}; received ${JSON.stringify(this.events).slice(0, 2000)}; stderr ${this.stderr.slice(0, 1000)}`));
      }, timeoutMs);
      const check = () => {
        if (!done(this)) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
    });
  }

  connected(): Promise<void> {
    return this.until((p) => p.events.some((e) => e.event === 'connected'), 'the connection');
  }

  /** Ends the process the hard way (a crashed or cut-off subscriber) and waits for it to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

export function subscribeInAnotherProcess(hubUrl: string, token: string | null, variables: Record<string, unknown> = {}, query = FEED): FeedProcess {
  return new FeedProcess(hubUrl, token, variables, query);
}
