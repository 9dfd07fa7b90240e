import * as fs from 'fs';
import * as path from 'path';

/** The extension's tasks, in the order they appear in the marketplace listing. */
export const TASKS = [
  'BuildImage',
  'DistributeToGallery',
  'UpdateHostPool',
  'AttachGalleryToDevCenter',
] as const;
export type TaskName = (typeof TASKS)[number];

/** The repository root (compiled scripts live in out/scripts). */
export const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Built files in a task folder (see build.ts): `index.js`, which the agent starts, `index.mjs`
 * and its chunks.
 */
export function bundleFiles(task: TaskName): string[] {
  return fs
    .readdirSync(taskDir(task))
    .filter((f) => f === 'index.js' || f.endsWith('.mjs'))
    .sort();
}

/** Files a task folder ships: its definition, icon and bundle (throws when it is not built). */
export function taskFiles(task: TaskName): string[] {
  const bundle = bundleFiles(task);
  if (!bundle.includes('index.mjs'))
    throw new Error(`${taskDir(task)} has no index.mjs: run npm run build first.`);
  return ['task.json', 'icon.png', ...bundle];
}

export function taskDir(task: TaskName): string {
  return path.join(ROOT, 'tasks', task);
}
