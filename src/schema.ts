import 'reflect-metadata';
import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { MeResolver } from './auth/me.resolver';
import { ChildResolver } from './children/child.resolver';
import { SECTION_RESOLVERS } from './departments/sections';
import { DropoutCaseResolver } from './ledger/dropout-case.resolver';
import { RegionResolver } from './regions/region.resolver';
import { ChangeLogResolver } from './changelog/change-log.resolver';
import { shieldSchema } from './permissions/shield';
import { CertificateAudit, ChildIdNumberAudit, DiagnosisAudit, SensitiveReadResolver } from './audit/sensitive-read.resolver';

let built: GraphQLSchema | null = null;
let secured: GraphQLSchema | null = null;

/** The one GraphQL schema of the hub, built from the code (type-graphql), once per process. */
export function buildHubSchema(): GraphQLSchema {
  built ??= buildSchemaSync({
    resolvers: [MeResolver, RegionResolver, ChildResolver, DropoutCaseResolver, ChangeLogResolver, ...SECTION_RESOLVERS, ChildIdNumberAudit, DiagnosisAudit, CertificateAudit, SensitiveReadResolver] as never,
    validate: false,
    emitSchemaFile: false,
  });
  return built;
}

/** Sorted, so that the committed SDL changes only when the schema does. */
export function sortedSchema(): GraphQLSchema {
  return lexicographicSortSchema(buildHubSchema());
}

/** The schema the server executes: the hub schema with the permission shield derived from the matrix. */
export function securedSchema(): GraphQLSchema {
  secured ??= shieldSchema(buildHubSchema());
  return secured;
}
