/**
 * Masks for `M` fields, applied where a value is produced so that the raw value never enters
 * a response. Each keeps just enough to match a record against paper: the address code and the
 * last four characters of a certificate number, the family name of a person.
 */
export function maskNumber(value: string): string {
  if (value.length <= 10) return '*'.repeat(value.length);
  return value.slice(0, 6) + '*'.repeat(value.length - 10) + value.slice(-4);
}

/**
 * An ID number keeps only its address code. The "first six and last four" mask would hide only
 * the birth date, which every masked reader may read (Child.birthDate): the number would be
 * whole again. Keeping the last four also leaves the gender digit and check character, which
 * narrow the rest to a few dozen guesses.
 */
export function maskIdNumber(value: string): string {
  return value.slice(0, 6) + '*'.repeat(Math.max(0, value.length - 6));
}

export function maskName(value: string): string {
  const chars = [...value];
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** Which mask a masked field gets; a field marked M with no mask here is withheld entirely. */
export const MASKS: Readonly<Record<string, (value: string) => string>> = {
  'Child.idNumber': maskIdNumber,
  'Child.name': maskName,
  'DisabilityRecord.certificateNo': maskNumber,
};

export function applyMask(field: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const mask = MASKS[field];
  return mask ? mask(String(value)) : null;
}
