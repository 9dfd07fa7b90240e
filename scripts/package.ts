/**
 * Writes the marketplace package: stages the manifest, its pages and images, and each task folder
 * with only what it ships (taskFiles: not the TypeScript beside them), then runs `tfx extension
 * create` offline on the stage. Publish under another publisher or id without editing files:
 * PUBLISHER=myorg EXTENSION_ID=my-golden-images npm run package
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, taskFiles, TASKS, taskDir } from './tasks';

export function packageExtension(env: NodeJS.ProcessEnv = process.env): string {
  const stage = path.join(ROOT, 'dist', 'stage');
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  for (const file of ['vss-extension.json', 'overview.md', 'LICENSE'])
    fs.copyFileSync(path.join(ROOT, file), path.join(stage, file));
  fs.cpSync(path.join(ROOT, 'images'), path.join(stage, 'images'), { recursive: true });
  for (const task of TASKS) {
    const to = path.join(stage, 'tasks', task);
    fs.mkdirSync(to, { recursive: true });
    for (const file of taskFiles(task))
      fs.copyFileSync(path.join(taskDir(task), file), path.join(to, file));
  }
  const out = path.join(ROOT, 'dist');
  for (const old of fs.readdirSync(out).filter((f) => f.endsWith('.vsix')))
    fs.rmSync(path.join(out, old));
  const args = [
    'extension',
    'create',
    '--root',
    stage,
    '--manifest-globs',
    'vss-extension.json',
    '--output-path',
    out,
    '--no-prompt',
    '--json',
  ];
  if (env.PUBLISHER) args.push('--publisher', env.PUBLISHER);
  if (env.EXTENSION_ID) args.push('--extension-id', env.EXTENSION_ID);
  const tfx = path.join(ROOT, 'node_modules', 'tfx-cli', '_build', 'tfx-cli.js');
  const result = JSON.parse(
    execFileSync(process.execPath, [tfx, ...args], { cwd: stage, encoding: 'utf8' }),
  ) as { path: string };
  return result.path;
}

if (require.main === module) {
  const vsix = packageExtension();
  console.log(
    `Extension package: ${vsix} (${(fs.statSync(vsix).size / 1024 / 1024).toFixed(1)} MiB)`,
  );
}
