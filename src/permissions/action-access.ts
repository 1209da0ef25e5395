import { ALL_DEPARTMENTS, type Identity } from '../auth/identity';
import { accessFor } from './access';
import { ACTION_MATRIX, type ActionKind, type ActionLevel } from './matrix';

export const ACTION_KINDS = Object.keys(ACTION_MATRIX) as ActionKind[];

const parsed = new Map(ACTION_KINDS.map((kind) => {
  const cells = ACTION_MATRIX[kind].trim().split(/\s+/);
  if (cells.length !== ALL_DEPARTMENTS.length || !cells.every((c) => ['S', 'W', 'A', 'R', '-'].includes(c))) {
    throw new Error(`action matrix row ${kind} must have ${ALL_DEPARTMENTS.length} cells of S W A R -`);
  }
  return [kind, Object.fromEntries(ALL_DEPARTMENTS.map((d, i) => [d, cells[i] as ActionLevel]))];
}));

/**
 * What one person may do with one kind of action: S record and close it as a supervisor, W record
 * and close it as a clerk, A answer it as a clerk, R read it, - nothing. A supervisor reads every
 * kind; a role without row access (an analyst) nothing; recording and answering need the role the
 * level names (a liaison of a W department only reads).
 */
export function actionLevel(identity: Pick<Identity, 'dept' | 'roles'>, kind: ActionKind): ActionLevel {
  const access = accessFor(identity);
  if (!access.readsRows) return '-';
  const cell = parsed.get(kind)![identity.dept];
  const supervisor = identity.roles.includes('supervisor') && access.canRead('Child.spotChecks');
  if (cell === 'S') return supervisor ? 'S' : 'R';
  if ((cell === 'W' || cell === 'A') && identity.roles.includes('clerk')) return cell;
  if (supervisor || cell !== '-') return 'R';
  return '-';
}

/** The kinds a person may read. */
export function readableActionKinds(identity: Pick<Identity, 'dept' | 'roles'>): ActionKind[] {
  return ACTION_KINDS.filter((kind) => actionLevel(identity, kind) !== '-');
}
