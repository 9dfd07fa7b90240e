/**
 * Sets one version everywhere it lives: package.json, vss-extension.json and every task.json. The
 * major is what pipelines write (BuildImage@1): raise it only for a breaking change.
 * npm run version:bump -- 1.2.3     (or: patch | minor)
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, TASKS } from './tasks';

/** package.json, vss-extension.json or a task.json: only the version is read or written. */
interface Versioned {
  version?: unknown;
  [field: string]: unknown;
}

export function bumpVersion(request: string, root = ROOT): string {
  const pkgPath = path.join(root, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as Versioned;
  const [major, minor, patch] = String(pkg.version).split('.').map(Number);
  const next =
    request === 'patch'
      ? `${major}.${minor}.${patch + 1}`
      : request === 'minor'
        ? `${major}.${minor + 1}.0`
        : request;
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(next);
  if (!m)
    throw new Error(`'${request}' is not a version: give Major.Minor.Patch, 'patch' or 'minor'.`);
  const edit = (file: string, change: (json: Versioned) => void) => {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Versioned;
    change(json);
    fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  };
  edit(pkgPath, (j) => {
    j.version = next;
  });
  edit(path.join(root, 'vss-extension.json'), (j) => {
    j.version = next;
  });
  for (const task of TASKS) {
    edit(path.join(root, 'tasks', task, 'task.json'), (j) => {
      j.version = { Major: Number(m[1]), Minor: Number(m[2]), Patch: Number(m[3]) };
    });
  }
  return next;
}

if (require.main === module) {
  console.log(
    `Version set to ${bumpVersion(process.argv[2] ?? 'patch')} in package.json, ` +
      `vss-extension.json and ${TASKS.length} task.json files.`,
  );
}
