/**
 * Bundles each task into its folder (tasks/<Task>/), so a task folder runs with no node_modules:
 * `index.js`, the file task.json names, only loads `index.mjs`, an ES module split with its chunks
 * (`chunk-*.mjs`) the way the task's code is: what runs before the first request to Azure (inputs,
 * the service connection, sign-in) is compiled at start, and each task's domain code, imported
 * lazily by its entry, is read only when the task gets to it. One CommonJS file meant compiling
 * all of it (2.6 MB for BuildImage) before the first request (issue 15, item 9; measured by
 * scripts/bench/coldStart.ts).
 *
 * The CommonJS packages inside (task-lib, MSAL) call `require` and read `__dirname`, which an ES
 * module lacks: each output file starts by defining them from its own URL.
 */
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { bundleFiles, TASKS, taskDir } from './tasks';

const COMMONJS_GLOBALS = [
  "import { createRequire as __gipRequire } from 'module';",
  "import { fileURLToPath as __gipPath } from 'url';",
  "import { dirname as __gipDirname } from 'path';",
  'const require = __gipRequire(import.meta.url);',
  'const __filename = __gipPath(import.meta.url);',
  'const __dirname = __gipDirname(__filename);',
].join(' ');

/** The CommonJS file the agent starts; a module that fails to load fails the task (exit code). */
const LOADER = `import('./index.mjs').catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
`;

export async function buildTasks(): Promise<void> {
  await Promise.all(
    TASKS.map(async (task) => {
      const dir = taskDir(task);
      for (const old of bundleFiles(task)) fs.rmSync(path.join(dir, old));
      const result = await esbuild.build({
        entryPoints: { index: path.join(dir, 'index.ts') },
        outdir: dir,
        outExtension: { '.js': '.mjs' },
        chunkNames: 'chunk-[hash]',
        bundle: true,
        splitting: true,
        platform: 'node',
        target: 'node20',
        format: 'esm',
        minify: true,
        keepNames: true,
        logLevel: 'error',
        banner: { js: COMMONJS_GLOBALS },
        metafile: true,
      });
      fs.writeFileSync(path.join(dir, 'index.js'), LOADER);
      const outputs = Object.entries(result.metafile.outputs);
      const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
      const total = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
      const atStart = startBytes(result.metafile, path.relative(process.cwd(), dir));
      console.log(`${task}: ${kib(total)} in ${outputs.length} files, ${kib(atStart)} at start`);
    }),
  );
}

/** Bytes of index.mjs and the chunks it imports statically (what is compiled at start). */
function startBytes(meta: esbuild.Metafile, dir: string): number {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !meta.outputs[file]) return;
    seen.add(file);
    for (const i of meta.outputs[file].imports) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(path.join(dir, 'index.mjs').split(path.sep).join('/'));
  return [...seen].reduce((sum, f) => sum + meta.outputs[f].bytes, 0);
}

if (require.main === module) {
  buildTasks().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
