/**
 * Bundles each task into one file beside its task.json (tasks/<Task>/index.js), so a task folder
 * runs with no node_modules. azure-arm-rest needs two fixes to be bundled: its `require(msalVer)`
 * becomes a static require, and its module.json (localised strings, loaded by path at run time) is
 * copied beside the bundle. ESM builds that esbuild picks for `import` statements (storage-blob's)
 * read `import.meta.url`, which a CommonJS bundle lacks: it is defined from the bundle's own path.
 */
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, TASKS, taskDir } from './tasks';

const staticMsal: esbuild.Plugin = {
  name: 'azure-arm-rest-static-msal',
  setup(build) {
    build.onLoad(
      { filter: /azure-pipelines-tasks-azure-arm-rest[\\/]azure-arm-common\.js$/ },
      async (args) => {
        const source = await fs.promises.readFile(args.path, 'utf8');
        const patched = source.replace('require(msalVer)', 'require("msalv3")');
        if (patched === source)
          throw new Error(`azure-arm-rest changed: 'require(msalVer)' not found in ${args.path}`);
        return { contents: patched, loader: 'js' };
      },
    );
  },
};

export async function buildTasks(): Promise<void> {
  const armRest = path.join(
    ROOT,
    'node_modules',
    'azure-pipelines-tasks-azure-arm-rest',
    'module.json',
  );
  await Promise.all(
    TASKS.map(async (task) => {
      const dir = taskDir(task);
      const result = await esbuild.build({
        entryPoints: [path.join(dir, 'index.ts')],
        outfile: path.join(dir, 'index.js'),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        minify: true,
        keepNames: true,
        logLevel: 'error',
        plugins: [staticMsal],
        define: { 'import.meta.url': '__bundleUrl' },
        banner: { js: 'const __bundleUrl = require("url").pathToFileURL(__filename).href;' },
        metafile: true,
      });
      fs.copyFileSync(armRest, path.join(dir, 'module.json'));
      const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
      console.log(`${task}: ${(bytes / 1024).toFixed(0)} KiB`);
    }),
  );
}

if (require.main === module) {
  buildTasks().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
