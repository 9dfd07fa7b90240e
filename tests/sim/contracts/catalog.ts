// Where the OpenAPI specs are and which files describe a provider namespace.
// Only directory listings happen here (cheap); JSON is parsed later, on demand, by specStore.
import * as fs from 'fs';
import * as path from 'path';

function findRepoRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`contracts: no package.json above ${from}`);
    dir = up;
  }
}

/** The `contracts` folder: env AZURE_SPECS_DIR, else `<repo>/../shared/contracts`. */
export function specsRoot(): string {
  const fromEnv = process.env.AZURE_SPECS_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  return path.resolve(findRepoRoot(__dirname), '..', 'shared', 'contracts');
}

export function specificationDir(): string {
  return path.join(specsRoot(), 'azure-rest-api-specs', 'specification');
}

/** One spec group at its newest stable version, e.g. Microsoft.Compute/GalleryRP @ 2024-03-03. */
export interface SpecGroup {
  namespace: string;
  apiVersion: string;
  dir: string;
  /** Absolute paths of the group's swagger files (examples excluded). */
  files: string[];
}

let catalogCache: { root: string; groups: Map<string, SpecGroup[]> } | undefined;

function listDirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}

// A namespace folder holds `stable/<version>/` either directly or under sub-groups
// (Microsoft.Compute/GalleryRP/stable/..., Microsoft.Compute/ComputeRP/stable/...). Each group
// keeps only its newest stable version: the SDKs send newer api-versions than we hold, and ARM
// contracts are additive, so the newest held spec is the best stand-in for any request.
function scanNamespace(namespace: string, nsDir: string): SpecGroup[] {
  const groups: SpecGroup[] = [];
  const stableDirs = [
    path.join(nsDir, 'stable'),
    ...listDirs(nsDir).map((sub) => path.join(nsDir, sub, 'stable')),
  ];
  for (const stable of stableDirs) {
    const versions = listDirs(stable)
      .filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))
      .sort();
    const newest = versions[versions.length - 1];
    if (!newest) continue;
    const dir = path.join(stable, newest);
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => path.join(dir, f));
    groups.push({ namespace, apiVersion: newest, dir, files });
  }
  return groups;
}

/** All spec groups, keyed by lower-cased namespace. */
export function catalog(): Map<string, SpecGroup[]> {
  const root = specificationDir();
  if (catalogCache && catalogCache.root === root) return catalogCache.groups;
  const groups = new Map<string, SpecGroup[]>();
  for (const service of listDirs(root)) {
    const rm = path.join(root, service, 'resource-manager');
    for (const namespace of listDirs(rm)) {
      if (!namespace.includes('.')) continue; // common-types and the like
      const found = scanNamespace(namespace, path.join(rm, namespace));
      if (found.length === 0) continue;
      const key = namespace.toLowerCase();
      groups.set(key, [...(groups.get(key) ?? []), ...found]);
    }
  }
  catalogCache = { root, groups };
  return groups;
}

export function groupsFor(namespace: string): SpecGroup[] {
  return catalog().get(namespace.toLowerCase()) ?? [];
}

const previewCache = new Map<string, SpecGroup[]>();

/**
 * A namespace's newest preview spec of each group, for operations no stable spec describes (AVD's
 * session host configurations and managements exist only in 2024-08-08-preview). Not part of
 * catalog(): a stable spec always wins where it describes the operation.
 */
export function previewGroupsFor(namespace: string): SpecGroup[] {
  const key = `${specificationDir()}|${namespace.toLowerCase()}`;
  const cached = previewCache.get(key);
  if (cached) return cached;
  const groups: SpecGroup[] = [];
  for (const service of listDirs(specificationDir())) {
    const rm = path.join(specificationDir(), service, 'resource-manager');
    for (const ns of listDirs(rm).filter((n) => n.toLowerCase() === namespace.toLowerCase())) {
      const nsDir = path.join(rm, ns);
      for (const preview of [
        path.join(nsDir, 'preview'),
        ...listDirs(nsDir).map((sub) => path.join(nsDir, sub, 'preview')),
      ]) {
        const newest = listDirs(preview)
          .filter((v) => /^\d{4}-\d{2}-\d{2}-preview$/.test(v))
          .sort()
          .pop();
        if (!newest) continue;
        const dir = path.join(preview, newest);
        const files = fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => path.join(dir, f));
        groups.push({ namespace: ns, apiVersion: newest, dir, files });
      }
    }
  }
  previewCache.set(key, groups);
  return groups;
}
