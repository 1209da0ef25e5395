/** Fields whose every unmasked read is audited. */
export const SENSITIVE_FIELDS = ['Child.idNumber', 'HealthRecord.diagnosisSummary', 'DisabilityRecord.certificateNo'] as const;
export type SensitiveField = (typeof SENSITIVE_FIELDS)[number];

const SENSITIVE = new Set<string>(SENSITIVE_FIELDS);

export function isSensitive(field: string): field is SensitiveField {
  return SENSITIVE.has(field);
}

/**
 * The sensitive values one request sends to its caller, gathered while the response is built and
 * written to the audit in one statement before the response leaves (see the audit plugin).
 */
export class SensitiveReadCollector {
  private readonly reads = new Set<string>();
  /** Reads already in the audit, written by the very statement that fetched them (see `withReadAudit`). */
  private readonly written = new Set<string>();

  record(childId: string, field: SensitiveField): void {
    const key = `${childId} ${field}`;
    if (!this.written.has(key)) this.reads.add(key);
  }

  /** Notes a read the audit already holds, so that it is not written twice. */
  recorded(childId: string, field: SensitiveField): void {
    const key = `${childId} ${field}`;
    this.written.add(key);
    this.reads.delete(key);
  }

  /** Reads still to be written. */
  get size(): number {
    return this.reads.size;
  }

  /** Forgets what was recorded: a long-lived subscription writes each delivered entry's reads, then starts afresh. */
  clear(): void {
    this.reads.clear();
    this.written.clear();
  }

  entries(): Array<{ childId: string; field: string }> {
    return [...this.reads].map((entry) => {
      const [childId, field] = entry.split(' ');
      return { childId, field };
    });
  }
}
