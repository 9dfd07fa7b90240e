/**
 * The layers of tasks/ as the design draws them, checked over the import graph: the task entries
 * use the pipeline layer and one domain; only pipeline/ touches task-lib; core/ is plain
 * TypeScript; azure/ builds on core/ alone; a domain imports another only for that domain's own
 * concepts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const COMMON = path.join(ROOT, 'tasks', 'common');
const DOMAINS = ['imagebuilder', 'gallery', 'artifacts', 'hostpool', 'devcenter'];
const TASK_LIB = /^azure-pipelines-task-lib(\/|$)/;

/**
 * What a domain may take from another: concepts of that domain, never generic helpers. BuildImage
 * publishes to galleries (target regions, version names, definition vs source) and uploads its
 * artifacts folder; the gallery's usage scan reads host pools and dev box definitions.
 */
const CONCEPTS: Record<string, string[]> = {
  imagebuilder: ['gallery/regions', 'gallery/versioning', 'gallery/compatibility', 'artifacts/*'],
  gallery: ['hostpool/model', 'devcenter/model'],
};

interface Import {
  from: string;
  spec: string;
  target?: string;
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(
      /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm,
    ),
  ].map((m) => m[1]);
  return specs.map((spec) => {
    if (!spec.startsWith('.')) return { from: file, spec };
    const base = path.resolve(path.dirname(file), spec);
    const target = [`${base}.ts`, path.join(base, 'index.ts')].find((p) => fs.existsSync(p));
    return { from: file, spec, target };
  });
}

/** `gallery/regions` for tasks/common/gallery/regions.ts; the task folder for a task's entry. */
function moduleOf(file: string): string {
  const rel = path.relative(COMMON, file).split(path.sep).join('/');
  return rel.startsWith('..')
    ? path.relative(ROOT, file).split(path.sep).join('/')
    : rel.replace(/\.ts$/, '');
}

const layer = (module: string) => module.split('/')[0];

const all = [...sources(path.join(ROOT, 'tasks'))].flatMap(importsOf);

describe('the import graph of tasks/', () => {
  it('every relative import resolves to a file', () => {
    assert.deepStrictEqual(
      all
        .filter((i) => i.spec.startsWith('.') && !i.target)
        .map((i) => `${moduleOf(i.from)} -> ${i.spec}`),
      [],
    );
  });

  it('only pipeline/ imports azure-pipelines-task-lib', () => {
    const offenders = all.filter(
      (i) => TASK_LIB.test(i.spec) && layer(moduleOf(i.from)) !== 'pipeline',
    );
    assert.deepStrictEqual(
      offenders.map((i) => `${moduleOf(i.from)} -> ${i.spec}`),
      [],
    );
  });

  it('nothing under tasks/ imports tests/ or scripts/', () => {
    const offenders = all.filter(
      (i) =>
        i.target &&
        /^(tests|scripts)\//.test(path.relative(ROOT, i.target).split(path.sep).join('/')),
    );
    assert.deepStrictEqual(
      offenders.map((i) => `${moduleOf(i.from)} -> ${i.spec}`),
      [],
    );
  });

  it('core/ imports only core/; azure/ only azure/ and core/', () => {
    const allowed: Record<string, string[]> = { core: ['core'], azure: ['azure', 'core'] };
    const offenders = all.filter(
      (i) =>
        i.target &&
        allowed[layer(moduleOf(i.from))] &&
        !allowed[layer(moduleOf(i.from))].includes(layer(moduleOf(i.target))),
    );
    assert.deepStrictEqual(
      offenders.map((i) => `${moduleOf(i.from)} -> ${moduleOf(i.target!)}`),
      [],
    );
  });

  it('a domain imports another domain only for its concepts, and never pipeline/', () => {
    const offenders = all.filter((i) => {
      if (!i.target) return false;
      const from = layer(moduleOf(i.from));
      const to = moduleOf(i.target);
      if (!DOMAINS.includes(from) || layer(to) === from || ['core', 'azure'].includes(layer(to)))
        return false;
      return !(CONCEPTS[from] ?? []).some(
        (c) => c === to || (c.endsWith('/*') && to.startsWith(c.slice(0, -1))),
      );
    });
    assert.deepStrictEqual(
      offenders.map((i) => `${moduleOf(i.from)} -> ${moduleOf(i.target!)}`),
      [],
    );
  });

  it('the rule sees real imports (finds a domain that imports gallery/ for its concepts)', () => {
    const seen = all.filter(
      (i) =>
        i.target &&
        layer(moduleOf(i.from)) === 'imagebuilder' &&
        layer(moduleOf(i.target)) === 'gallery',
    );
    assert.ok(seen.length >= 3, `imagebuilder -> gallery imports found: ${seen.length}`);
  });
});
