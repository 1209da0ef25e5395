import type { DomainModule } from '../changelog/catalogue';
import { SECTIONS } from './sections';

/** The six departments' sections, as the database maps them and the change log records them (registered in src/app/modules.ts). */
export const sectionsModule: DomainModule = {
  entities: SECTIONS.map((section) => section.entity),
  logged: SECTIONS.map((section) => [section.entity, {
    type: section.typeName,
    label: `${section.label}记录`,
    visibleWith: `Child.${section.key}`,
    fields: Object.fromEntries(section.fields.map((f) => [f.name, f.label])),
    childIdOf: (e) => e.childId as string,
  }]),
};
