import fs from 'node:fs';
import path from 'node:path';
import { printSchema } from 'graphql';
import { sortedSchema } from './schema';
import { registerModules } from './app/modules';

/** `--write` emits schema/schema.graphql from the code; `--check` fails when the committed file differs. */
const file = path.resolve(__dirname, '..', 'schema', 'schema.graphql');
const header = '# 保学 Baoxue GraphQL schema. Emitted from the code by `npm run schema:emit`; do not edit by hand.\n\n';
registerModules();
const sdl = header + printSchema(sortedSchema()) + '\n';

if (process.argv.includes('--write')) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, sdl);
  console.log(`wrote ${path.relative(process.cwd(), file)} (${sdl.split('\n').length} lines)`);
} else {
  const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (committed !== sdl) {
    console.error('schema/schema.graphql is out of date with the code: run `npm run schema:emit` and commit it.');
    process.exit(1);
  }
  console.log('schema/schema.graphql matches the code.');
}
