// Lists what goes into the artifacts archive, in a stable order, and refuses what must not go in.
import * as fs from 'fs';
import * as path from 'path';
import { InputError } from '../core/errors';

/** One archive entry: a file, or a directory that has nothing under it (unzip makes the others). */
export interface FolderEntry {
  /** Path inside the archive: relative, forward slashes. */
  path: string;
  /** Where the bytes are read from: a symlink inside the folder is resolved to its target. */
  source: string;
  kind: 'file' | 'dir';
  /**
   * Unix mode stored in the zip, normalised as git does (0644 or 0755 for files, 0755 for
   * directories), so an agent's umask does not change the archive or its content-addressed name.
   */
  mode: number;
  size: number;
  /** To notice a file that changes between hashing and zipping. */
  mtimeMs: number;
}

export interface ScannedFolder {
  /** The folder as the caller named it (for messages). */
  folder: string;
  /** Its last path segment. */
  name: string;
  entries: FolderEntry[];
  files: number;
  bytes: number;
}

const FILE_MODE = 0o100644;
const EXECUTABLE_MODE = 0o100755;
const DIR_MODE = 0o40755;

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * Walks `folder`. Symbolic links (and Windows junctions) that resolve inside the folder are
 * followed and stored as what they point to: Expand-Archive has no notion of links, and a copy
 * behaves the same on both operating systems. Links that resolve outside the folder are refused,
 * naming the link: a pull request must not be able to pull agent files (credentials, other
 * checkouts) into an image.
 */
export async function scanFolder(
  folder: string,
  inputName = 'packagePath',
): Promise<ScannedFolder> {
  const refuse = (problem: string) => new InputError(inputName, problem);
  let rootStat: fs.Stats;
  try {
    rootStat = await fs.promises.stat(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw refuse(`the folder '${folder}' does not exist`);
    throw err;
  }
  if (!rootStat.isDirectory())
    throw refuse(
      `'${folder}' is a file, not a folder; give the folder that holds the build artifacts`,
    );
  const root = await fs.promises.realpath(folder);
  const entries: FolderEntry[] = [];
  let bytes = 0;

  /**
   * What an entry of the folder is: a symlink is resolved, and refused when it leads outside the
   * folder.
   */
  const inspect = async (
    dir: string,
    rel: string,
    dirent: fs.Dirent,
  ): Promise<{ entryPath: string; source: string; stat: fs.Stats }> => {
    const entryPath = rel ? `${rel}/${dirent.name}` : dirent.name;
    // Windows takes a backslash in an entry name for a separator: a Linux name holding one would
    // unpack as another folder layout.
    if (dirent.name.includes('\\'))
      throw refuse(
        `'${entryPath}' has a backslash in its name, which a zip cannot carry portably; rename it`,
      );
    let source = path.join(dir, dirent.name);
    if (!dirent.isSymbolicLink())
      return { entryPath, source, stat: await fs.promises.lstat(source) };
    const link = await fs.promises.readlink(source).catch(() => '?');
    try {
      source = await fs.promises.realpath(source);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        throw refuse(`symbolic link '${entryPath}' points to '${link}', which does not exist`);
      if (code === 'ELOOP') throw refuse(`symbolic link '${entryPath}' is part of a loop of links`);
      throw err;
    }
    if (!isInside(root, source) && source !== root) {
      throw refuse(
        `symbolic link '${entryPath}' points outside the folder, to '${link}' ` +
          `('${source}'); links out of the artifacts folder are refused so that no file of ` +
          `the agent can end up in the image. Copy the file into the folder instead`,
      );
    }
    return { entryPath, source, stat: await fs.promises.stat(source) };
  };

  const walk = async (dir: string, rel: string, ancestors: string[]): Promise<boolean> => {
    const dirents = (await fs.promises.readdir(dir, { withFileTypes: true })).sort((a, b) =>
      byCodeUnit(a.name, b.name),
    );
    // All of a folder's entries looked at together (one stat after the other was most of the
    // listing's time); the first problem in name order is the one reported, so the message does not
    // depend on timing.
    const settled = await Promise.allSettled(dirents.map((d) => inspect(dir, rel, d)));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    let any = false;
    for (const {
      value: { entryPath, source, stat },
    } of settled as PromiseFulfilledResult<Awaited<ReturnType<typeof inspect>>>[]) {
      if (stat.isDirectory()) {
        if (source === root || ancestors.includes(source))
          throw refuse(
            `symbolic link '${entryPath}' points to a folder that contains it, which would ` +
              `repeat forever`,
          );
        if (!(await walk(source, entryPath, [...ancestors, source]))) {
          entries.push({
            path: entryPath,
            source,
            kind: 'dir',
            mode: DIR_MODE,
            size: 0,
            mtimeMs: stat.mtimeMs,
          });
        }
      } else if (stat.isFile()) {
        entries.push({
          path: entryPath,
          source,
          kind: 'file',
          mode: stat.mode & 0o111 ? EXECUTABLE_MODE : FILE_MODE,
          size: stat.size,
          mtimeMs: stat.mtimeMs,
        });
        bytes += stat.size;
      } else {
        throw refuse(
          `'${entryPath}' is neither a file nor a folder (a socket, pipe or device) and ` +
            `cannot be archived`,
        );
      }
      any = true;
    }
    return any;
  };

  await walk(root, '', []);
  const files = entries.filter((e) => e.kind === 'file').length;
  if (files === 0)
    throw refuse(
      `the folder '${folder}' contains no files; there is nothing to send to the build VM`,
    );
  return { folder, name: path.basename(path.resolve(folder)), entries, files, bytes };
}
