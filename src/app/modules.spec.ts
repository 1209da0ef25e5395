import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [file] : [];
  });
}

const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

describe('before the modules are registered', () => {
  // A fresh copy of every module, as a process that forgot to register would have.
  const fresh = <T>(load: () => T): T => {
    let loaded: T | undefined;
    jest.isolateModules(() => { loaded = load(); });
    return loaded!;
  };

  it('reading the change log fails, naming what is missing, instead of showing every reader nothing', () => {
    const catalogue = fresh(() => require('../changelog/catalogue') as typeof import('../changelog/catalogue'));
    expect(() => catalogue.allLoggedEntities()).toThrow(/registerModules\(\)/);
    expect(() => catalogue.loggedEntity('ChildEntity')).toThrow(/registerModules\(\)/);
    expect(() => catalogue.loggedEntityByType('Child')).toThrow(/registerModules\(\)/);
  });

  it('opening the database fails, naming what is missing, before it connects', async () => {
    const orm = fresh(() => require('../db/orm') as typeof import('../db/orm'));
    await expect(orm.openOrm({ url: 'postgresql://nobody@127.0.0.1:1/none', poolMax: 1 })).rejects.toThrow(/registerModules\(\)/);
  });
});

describe('the modules', () => {
  const { MODULES, registerModules } = require('./modules') as typeof import('./modules');
  const catalogue = require('../changelog/catalogue') as typeof import('../changelog/catalogue');
  registerModules();

  it('map and log every entity class in src: a forgotten module cannot leave its entries unseen', () => {
    const declared = sources('src').flatMap((file) => [...read(file).matchAll(/@Entity\([^)]*\)\s*export class (\w+)/g)].map((m) => m[1])).sort();
    expect(declared.length).toBeGreaterThan(10);
    expect(MODULES.flatMap((m) => m.entities.map((e) => e.name)).sort()).toEqual(declared);
    expect(declared.filter((name) => !catalogue.loggedEntity(name))).toEqual([]);
  });

  it('may be registered again, but one entity type is never defined twice', () => {
    expect(() => registerModules()).not.toThrow();
    expect(() => catalogue.registerLoggedEntities(MODULES)).not.toThrow();
    const again = { ...catalogue.loggedEntityByType('Child')!, label: '另一个' };
    expect(() => catalogue.registerLoggedEntities([{ entities: [], logged: [[{ name: 'OtherChildEntity' }, again]] }])).toThrow(/registered twice/);
    expect(catalogue.loggedEntityByType('Child')!.label).toBe('儿童基本信息');
  });

  it('are registered by every process that opens the database, before it does', () => {
    const opening = [...sources('src'), ...sources('seeds'), ...sources('tests')]
      .filter((file) => file !== path.join('src', 'db', 'database.ts') && /\bopenDatabase\(|\bstartServer\(/.test(read(file)));
    expect(opening.length).toBeGreaterThan(5);
    const unregistered = opening.filter((file) => {
      const text = read(file);
      // startServer registers them itself; everything else calls registerModules() before its first openDatabase(.
      const first = text.search(/\bopenDatabase\(/);
      return first >= 0 && !(text.indexOf('registerModules()') >= 0 && text.indexOf('registerModules()') < first);
    });
    expect(unregistered).toEqual([]);
    expect(read(path.join('src', 'web', 'server.ts'))).toMatch(/startServer\([^)]*\)[^{]*\{\n\s*registerModules\(\);/);
  });
});
