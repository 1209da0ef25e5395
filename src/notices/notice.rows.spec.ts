import 'reflect-metadata';
import { getNamedType, isEnumType, isObjectType } from 'graphql';
import { allLoggedEntities } from '../changelog/catalogue';
import { buildHubSchema } from '../schema';
import { VALUE_LABELS } from './notice.rows';
import { registerModules } from '../app/modules';

// The entities the change log records are registered at start, as every entry point does.
registerModules();

describe('notice rows', () => {
  it('has Chinese labels for every enum-valued field the change log records', () => {
    const schema = buildHubSchema();
    const missing: string[] = [];
    for (const logged of allLoggedEntities()) {
      const type = schema.getType(logged.type);
      if (!isObjectType(type)) continue;
      for (const field of Object.keys(logged.fields)) {
        const graphqlField = type.getFields()[field];
        if (!graphqlField || !isEnumType(getNamedType(graphqlField.type))) continue;
        const labels = VALUE_LABELS[`${logged.type}.${field}`];
        const values = (getNamedType(graphqlField.type) as { getValues(): Array<{ name: string }> }).getValues().map((v) => v.name);
        if (!labels || values.some((v) => !labels[v] || /[a-z]/i.test(labels[v]))) missing.push(`${logged.type}.${field}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
