import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../core/unit-of-work';

/** A child as registered: what a check made at registration reads of it. */
export interface RegisteredChild {
  readonly id: string;
  readonly idNumber: string | null;
  readonly name: string;
  readonly gender: string;
  readonly birthDate: string;
  readonly hukouRegion: string;
  readonly residenceRegion: string;
  readonly township: string | null;
}

/**
 * Told of every registration (and every new ID number) inside its transaction, after the children are created in
 * the unit of work (a registration's are flushed after the check, with the rest of the write) (the duplicate check,
 * src/duplicates, handed in at the composition root: it sits above the children).
 */
export interface RegistrationCheck<Begun = unknown> {
  /**
   * Told of a registration's children once their input is checked, before its transaction begins,
   * so that the check may begin what needs no transaction (the duplicate check's lookup, beside
   * it); what it returns is handed to `registered`. A registration refused or replayed after this
   * never calls `registered`.
   */
  begin?(actor: Actor, children: readonly RegisteredChild[]): Begun;
  registered(em: EntityManager, actor: Actor, children: readonly RegisteredChild[], begun?: Begun): Promise<void>;
}
