/**
 * Masks for `M` fields, applied where a value is produced so that the raw value never enters
 * a response. Each keeps just enough to match a record against paper: the address code and the
 * last four characters of a number, the family name of a person.
 */
export function maskNumber(value: string): string {
  if (value.length <= 10) return '*'.repeat(value.length);
  return value.slice(0, 6) + '*'.repeat(value.length - 10) + value.slice(-4);
}

export function maskName(value: string): string {
  const chars = [...value];
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** Which mask a masked field gets; a field marked M with no mask here is withheld entirely. */
export const MASKS: Readonly<Record<string, (value: string) => string>> = {
  'Child.idNumber': maskNumber,
  'Child.name': maskName,
  'DisabilityRecord.certificateNo': maskNumber,
};

export function applyMask(field: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const mask = MASKS[field];
  return mask ? mask(String(value)) : null;
}
