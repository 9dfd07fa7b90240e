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

/** Files a task folder ships: its definition, the bundle, azure-arm-rest's strings, the icon. */
export const TASK_FILES = ['task.json', 'index.js', 'module.json', 'icon.png'] as const;

export function taskDir(task: TaskName): string {
  return path.join(ROOT, 'tasks', task);
}
