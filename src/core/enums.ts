import { registerEnumType } from 'type-graphql';

/**
 * A GraphQL enum whose values carry Chinese and English labels. Returns the value object
 * (`{ ENROLLED: 'ENROLLED', … }`) and keeps the labels for notices, exports and errors.
 */
export function defineEnum<const V extends string>(
  name: string,
  description: string,
  labels: Readonly<Record<V, string>>,
): { readonly values: { readonly [K in V]: K }; readonly labels: Readonly<Record<V, string>>; readonly list: readonly V[] } {
  const list = Object.keys(labels) as V[];
  const values = Object.freeze(Object.fromEntries(list.map((v) => [v, v]))) as { readonly [K in V]: K };
  registerEnumType(values, {
    name,
    description,
    valuesConfig: Object.fromEntries(list.map((v) => [v, { description: labels[v] }])) as Record<V, { description: string }>,
  });
  return { values, labels: Object.freeze({ ...labels }), list };
}
