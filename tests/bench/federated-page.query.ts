/**
 * The federated page of issue 6: a county's children with every field and section an EDU clerk
 * may read, and their dropout cases. `PovertyRecord.householdId` and
 * `HealthRecord.diagnosisSummary` are left out because an EDU clerk may not read them (asking
 * would answer FORBIDDEN errors, not data); `DisabilityRecord.certificateNo` is in, masked.
 */
export const PAGE_QUERY = `query FederatedPage($first: Int!, $filter: ChildFilter) {
  children(first: $first, filter: $filter) {
    edges {
      node {
        id idNumber name gender birthDate version createdAt updatedAt
        hukouRegion { code name level parentCode }
        residenceRegion { code name level parentCode }
        education { status stage grade schoolName version updatedAt updatedBy }
        publicSecurity { hukouStatus whereabouts verifiedOn version updatedAt updatedBy }
        civilAffairs { leftBehind deFactoUnsupported migrant parentImprisoned orphan subsistenceAllowance version updatedAt updatedBy }
        poverty { registeredPoor monitoredHousehold version updatedAt updatedBy }
        health { seriousIllness screenedOn version updatedAt updatedBy }
        disability { disabilityType disabilityLevel certificateNo version updatedAt updatedBy }
        dropoutCases { id reason status openedOn closedOn notes version updatedAt updatedBy }
      }
    }
  }
}`;

export function pageRequestBody(county: string, first: number): string {
  return JSON.stringify({ operationName: 'FederatedPage', query: PAGE_QUERY, variables: { first, filter: { region: county } } });
}

/** `timestamptz` as GraphQL's DateTimeISO writes a JavaScript Date: milliseconds, UTC, `Z`. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const meta = (alias: string) => `'version', ${alias}.version, 'updatedAt', ${iso(`${alias}.updated_at`)}, 'updatedBy', ${alias}.updated_by`;
const region = (alias: string) => `json_build_object('code', ${alias}.code, 'name', ${alias}.name, 'level', upper(${alias}.level), 'parentCode', ${alias}.parent_code)`;
/** The hub's mask for numbers (`maskNumber`): the address code and the last four characters. */
const masked = (column: string) =>
  `CASE WHEN length(${column}) <= 10 THEN repeat('*', length(${column})) ELSE left(${column}, 6) || repeat('*', length(${column}) - 10) || right(${column}, 4) END`;

/**
 * The raw baseline: the same page as one hand-written statement that builds the whole response
 * body in PostgreSQL. $1: the county codes of the reader's scope and filter; $2: the page size.
 * `LIMIT 1` (a section has at most one row per child) keeps each section a per-child index
 * lookup: without it the planner flattens the subqueries into hash joins that build the JSON of
 * every row of the smaller section tables (≈ 20× slower at 200,000 children).
 */
export const RAW_PAGE_SQL = `
SELECT json_build_object('data', json_build_object('children', json_build_object('edges',
  coalesce(json_agg(json_build_object('node', json_build_object(
    'id', c.id, 'idNumber', c.id_number, 'name', c.name, 'gender', c.gender, 'birthDate', c.birth_date,
    'version', c.version, 'createdAt', ${iso('c.created_at')}, 'updatedAt', ${iso('c.updated_at')},
    'hukouRegion', ${region('hr')}, 'residenceRegion', ${region('rr')},
    'education', education.j, 'publicSecurity', public_security.j, 'civilAffairs', civil_affairs.j,
    'poverty', poverty.j, 'health', health.j, 'disability', disability.j, 'dropoutCases', dropout_cases.j
  )) ORDER BY c.id), '[]'::json))))::text AS body
FROM (
  SELECT * FROM hub.child
  WHERE hukou_region = ANY($1::text[]) OR residence_region = ANY($1::text[])
  ORDER BY id LIMIT $2
) c
JOIN hub.region hr ON hr.code = c.hukou_region
JOIN hub.region rr ON rr.code = c.residence_region
LEFT JOIN LATERAL (
  SELECT json_build_object('status', s.status, 'stage', s.stage, 'grade', s.grade, 'schoolName', s.school_name, ${meta('s')}) AS j
  FROM edu.education_record s WHERE s.child_id = c.id LIMIT 1
) education ON true
LEFT JOIN LATERAL (
  SELECT json_build_object('hukouStatus', s.hukou_status, 'whereabouts', s.whereabouts, 'verifiedOn', s.verified_on, ${meta('s')}) AS j
  FROM psb.public_security_record s WHERE s.child_id = c.id LIMIT 1
) public_security ON true
LEFT JOIN LATERAL (
  SELECT json_build_object('leftBehind', s.left_behind, 'deFactoUnsupported', s.de_facto_unsupported, 'migrant', s.migrant,
    'parentImprisoned', s.parent_imprisoned, 'orphan', s.orphan, 'subsistenceAllowance', s.subsistence_allowance, ${meta('s')}) AS j
  FROM civil.civil_affairs_record s WHERE s.child_id = c.id LIMIT 1
) civil_affairs ON true
LEFT JOIN LATERAL (
  SELECT json_build_object('registeredPoor', s.registered_poor, 'monitoredHousehold', s.monitored_household, ${meta('s')}) AS j
  FROM poverty.poverty_record s WHERE s.child_id = c.id LIMIT 1
) poverty ON true
LEFT JOIN LATERAL (
  SELECT json_build_object('seriousIllness', s.serious_illness, 'screenedOn', s.screened_on, ${meta('s')}) AS j
  FROM health.health_record s WHERE s.child_id = c.id LIMIT 1
) health ON true
LEFT JOIN LATERAL (
  SELECT json_build_object('disabilityType', s.disability_type, 'disabilityLevel', s.disability_level,
    'certificateNo', ${masked('s.certificate_no')}, ${meta('s')}) AS j
  FROM dpf.disability_record s WHERE s.child_id = c.id LIMIT 1
) disability ON true
LEFT JOIN LATERAL (
  SELECT coalesce(json_agg(json_build_object('id', s.id, 'reason', s.reason, 'status', s.status, 'openedOn', s.opened_on,
    'closedOn', s.closed_on, 'notes', s.notes, ${meta('s')}) ORDER BY s.opened_on DESC, s.created_at DESC), '[]'::json) AS j
  FROM edu.dropout_case s WHERE s.child_id = c.id
) dropout_cases ON true`;
