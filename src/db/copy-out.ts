import type { Socket } from 'node:net';

/**
 * A `COPY … TO STDOUT` read as the wire brings it: the bytes of its messages, framing and all, in
 * the socket's own chunks, with nothing done per row here but stepping over each message's header.
 * PostgreSQL sends each row as a message of its own (`CopyData`: the byte `d`, a four-byte length
 * that counts itself, the row's text); a reader that takes each message apart in JavaScript
 * (pg-copy-streams does, with a buffer and a copy per row) spends more time on that than the
 * checking does, for a million rows. The rows are taken apart where they are checked
 * (`joinMessages`, `copyRows`), in a worker thread.
 *
 * It is a query object for pg's client (`submit`, `handle…`), as pg-copy-streams' are: once the
 * statement is sent it reads the connection's socket itself, until `CopyDone`, and then hands pg
 * what follows (the command's completion, or an error), so that pg ends the query as usual.
 */

const COPY_OUT_RESPONSE = 0x48; // H
const COPY_DATA = 0x64; // d
const COPY_DONE = 0x63; // c
const ERROR_RESPONSE = 0x45; // E
/** Messages the server may send at any time (NoticeResponse, ParameterStatus, NotificationResponse): kept among the rows and skipped by `copyRows`. */
const ASYNCHRONOUS = new Set([0x4e, 0x53, 0x41]);

interface PgConnection {
  stream: Socket;
  query(text: string): void;
  sendCopyFail(message: string): void;
}

/**
 * A COPY's rows' messages: bytes [from, to) of its chunks laid end to end. The chunks are the
 * socket's own (each a buffer of its own), handed on as they are: a worker thread takes them
 * without a copy (`joinMessages` lays them end to end there).
 */
export interface CopiedMessages {
  readonly chunks: Uint8Array[];
  readonly from: number;
  readonly to: number;
}

export class CopyOutMessages {
  readonly promise: Promise<CopiedMessages>;
  private resolve!: (copied: CopiedMessages) => void;
  private reject!: (error: Error) => void;
  private connection: PgConnection | null = null;
  private pgData: ((chunk: Buffer) => void) | null = null;
  private readonly onData = (chunk: Buffer) => this.received(chunk);
  /** What has come since the statement was sent (as the socket read it), and how much. */
  private chunks: Buffer[] = [];
  private size = 0;
  /** Where the next message starts, and the chunk it starts in (with that chunk's offset). */
  private next = 0;
  private chunk = 0;
  private chunkStart = 0;
  /** Where the rows' messages start (after CopyOutResponse), once known; and the rows, at CopyDone. */
  private start = -1;
  private copied: CopiedMessages | null = null;
  private failed: Error | null = null;

  constructor(readonly text: string) {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** pg's client sends the statement through this once it is the connection's turn; the socket's chunks come here until CopyDone. */
  submit(connection: PgConnection): void {
    this.connection = connection;
    const { stream } = connection;
    const listeners = stream.listeners('data') as Array<(chunk: Buffer) => void>;
    if (listeners.length !== 1) throw new Error(`copy out: the connection has ${listeners.length} readers, not pg's one`);
    this.pgData = listeners[0];
    stream.removeListener('data', this.pgData);
    stream.on('data', this.onData);
    connection.query(this.text);
  }

  private received(chunk: Buffer): void {
    if (!this.pgData) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.walk();
  }

  /** Moves over whole messages; at CopyDone, or at any message a COPY does not send among its rows, gives the rest back to pg. */
  private walk(): void {
    while (this.size - this.next >= 5) {
      while (this.next >= this.chunkStart + this.chunks[this.chunk].length) this.chunkStart += this.chunks[this.chunk++].length;
      const at = this.next - this.chunkStart;
      const chunk = this.chunks[this.chunk];
      // The header in the chunk where the message starts, or across it and the next ones.
      const header = at + 5 <= chunk.length ? chunk : this.range(this.next, this.next + 5);
      const h = header === chunk ? at : 0;
      const code = header[h];
      const length = header.readUInt32BE(h + 1);
      if (this.start >= 0 && (code === COPY_DATA || ASYNCHRONOUS.has(code))) {
        if (length < 4) return this.handBack(this.next, new Error('copy out: a message with a bad length'));
        this.next += 1 + length;
        continue;
      }
      // The other messages are read whole.
      if (this.size - this.next < 1 + length) return;
      if (this.start < 0 && code === COPY_OUT_RESPONSE) {
        this.next += 1 + length;
        this.start = this.next;
      } else if (this.start < 0 && ASYNCHRONOUS.has(code)) {
        // A notice before the rows: passed over, as among them.
        this.next += 1 + length;
      } else if (this.start >= 0 && code === COPY_DONE) {
        // The chunks up to the one CopyDone starts in, from the first of the rows' (pg takes its own copy of what follows).
        let first = 0;
        let base = 0;
        while (first < this.chunk && base + this.chunks[first].length <= this.start) base += this.chunks[first++].length;
        this.copied = { chunks: this.chunks.slice(first, this.chunk + 1), from: this.start - base, to: this.next - base };
        return this.handBack(this.next + 1 + length, null);
      } else {
        // An error (pg reads it, and it reaches `handleError`), or anything else.
        return this.handBack(this.next, code === ERROR_RESPONSE ? null : new Error(`copy out: unexpected message ${String.fromCharCode(code)} for ${this.text}`));
      }
    }
  }

  /** Gives the connection back to pg from byte `from` on (pg parses what is left), as if it had read it all. */
  private handBack(from: number, error: Error | null): void {
    const { stream } = this.connection!;
    const pgData = this.pgData!;
    this.pgData = null;
    if (error) this.failed = error;
    const rest = this.range(Math.min(from, this.size), this.size);
    this.chunks = [];
    stream.removeListener('data', this.onData);
    stream.on('data', pgData);
    if (rest.length) pgData(rest);
  }

  /** Bytes [from, to) of what has come, in a buffer of their own. */
  private range(from: number, to: number): Buffer {
    return joinMessages({ chunks: this.chunks, from, to });
  }

  /** The database's error: pg drops the query as it reads it (its ReadyForQuery reaches no query), so the read ends here. */
  handleError(error: Error): void {
    this.reject(error);
  }

  handleCommandComplete(): void {}

  // What pg may hand on for a statement that was no COPY TO (`walk` has failed the read already).
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
  handleCopyInResponse(connection: PgConnection): void {
    connection.sendCopyFail('copy out: not a COPY TO');
  }

  /** The query has ended on the connection: it can be given back to the pool. */
  handleReadyForQuery(): void {
    if (this.failed) this.reject(this.failed);
    else if (this.copied) this.resolve(this.copied);
    else this.reject(new Error(`copy out: ${this.text} ended without its rows`));
  }
}

/**
 * A COPY's messages laid end to end, in `into` when it has the room (a buffer the caller reuses:
 * memory touched before takes a copy far faster than fresh memory), else in a new buffer.
 */
export function joinMessages({ chunks, from, to }: CopiedMessages, into: Buffer | null = null): Buffer {
  const out = into && into.length >= to - from ? into.subarray(0, to - from) : Buffer.allocUnsafeSlow(to - from);
  let base = 0;
  let at = 0;
  // Chunks that crossed to another thread are plain Uint8Arrays there, not Buffers.
  for (const chunk of chunks) {
    const end = base + chunk.length;
    if (end > from && base < to) {
      const piece = chunk.subarray(Math.max(0, from - base), Math.min(chunk.length, to - base));
      out.set(piece, at);
      at += piece.length;
    }
    base = end;
  }
  return out;
}

/**
 * The rows of `CopyOutMessages`' bytes (laid end to end): calls `row(start, end)` for each row's text (its newline
 * included), skipping the messages the server may send among them. False if the bytes are not
 * whole messages, or a row is not one message ending in a newline.
 */
export function copyRows(bytes: Uint8Array, row: (start: number, end: number) => void): boolean {
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 5) return false;
    const code = bytes[at];
    const length = ((bytes[at + 1] << 24) | (bytes[at + 2] << 16) | (bytes[at + 3] << 8) | bytes[at + 4]) >>> 0;
    const end = at + 1 + length;
    if (length < 4 || end > bytes.length) return false;
    if (code === COPY_DATA) {
      if (end === at + 5 || bytes[end - 1] !== 0x0a) return false;
      row(at + 5, end);
    } else if (!ASYNCHRONOUS.has(code)) {
      return false;
    }
    at = end;
  }
  return true;
}
