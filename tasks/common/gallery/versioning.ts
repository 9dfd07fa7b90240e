/**
 * Gallery image version names: `Major.Minor.Patch`, each a whole number that fits a 32-bit signed
 * integer (what Compute accepts). Versions are ordered numerically, so `1.10.0` is newer than
 * `1.9.0`.
 */
const MAX_PART = 2_147_483_647;

/** Why a text is not a version name, or undefined when it is one. */
export function versionProblem(text: string): string | undefined {
  if (!/^\d+\.\d+\.\d+$/.test(text))
    return `'${text}' is not of the form Major.Minor.Patch (three whole numbers, e.g. 1.0.0)`;
  const parts = text.split('.');
  if (parts.some((p) => p.length > 1 && p.startsWith('0'))) {
    return `'${text}' has a leading zero; write ${parts.map(Number).join('.')}`;
  }
  if (parts.some((p) => p.length > 10 || Number(p) > MAX_PART))
    return `'${text}' has a number above ${MAX_PART}, the largest Azure accepts`;
  return undefined;
}

/** Numeric order; names that are not versions sort first (they can't be "latest"). */
export function compareVersions(a: string, b: string): number {
  const pa = looseParts(a);
  const pb = looseParts(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

function looseParts(text: string): number[] {
  const parts = /^(\d+)\.(\d+)\.(\d+)$/.exec(text);
  return parts ? parts.slice(1).map(Number) : [-1, -1, -1];
}

/** The highest version among names, or undefined. */
export function latestVersion(names: string[]): string | undefined {
  return [...names]
    .filter((n) => /^\d+\.\d+\.\d+$/.test(n))
    .sort(compareVersions)
    .pop();
}

export type Bump = 'patch' | 'minor' | 'major';

/** The next version after the highest existing one; 1.0.0 when there is none. */
export function nextVersion(existing: string[], bump: Bump): string {
  const latest = latestVersion(existing);
  if (!latest) return '1.0.0';
  const [a, b, c] = latest.split('.').map(Number);
  const next: number[] =
    bump === 'major' ? [a + 1, 0, 0] : bump === 'minor' ? [a, b + 1, 0] : [a, b, c + 1];
  if (next.some((n) => n > MAX_PART))
    throw new Error(
      `The next ${bump} version after ${latest} would exceed ${MAX_PART}; choose a version ` +
        `explicitly.`,
    );
  return next.join('.');
}

/**
 * Maps a pipeline build number to a version name:
 * - `1.4.2` (already a version) stays as it is;
 * - the default format `yyyyMMdd.r` (`20261121.3`, also with text around it such as
 *   `main_20261121.3`) becomes `yyyy.MMdd.r` (`2026.1121.3`): readable, and ordered as the builds
 * are;
 * - otherwise the numbers in it, in order, padded with zeros: `Release-12` -> `12.0.0`, `7.2` ->
 *   `7.2.0`.
 * Throws an Error saying why and what to do when no version follows from it.
 */
export function versionFromBuildNumber(buildNumber: string): string {
  const groups: string[] = buildNumber.match(/\d+/g) ?? [];
  const hint =
    'Set a version explicitly (versionStrategy: explicit), or use a build number format ' +
    'such as $(Date:yyyyMMdd).$(Rev:r) or $(Major).$(Minor).$(Rev:r)';
  if (groups.length === 0)
    throw new Error(
      `The build number '${buildNumber}' has no numbers to make a version from. ${hint}.`,
    );
  let numbers: string[] = groups;
  const date = /^(\d{4})(\d{2})(\d{2})$/.exec(groups[0]);
  if (date && isDate(Number(date[1]), Number(date[2]), Number(date[3])))
    numbers = [date[1], `${date[2]}${date[3]}`, ...groups.slice(1)];
  if (numbers.length > 3) {
    throw new Error(
      `The build number '${buildNumber}' has ${numbers.length} numbers ` +
        `(${numbers.join(', ')}); a version has three (Major.Minor.Patch). ${hint}.`,
    );
  }
  const version = [...numbers, '0', '0']
    .slice(0, 3)
    .map((n) => String(Number(n)))
    .join('.');
  const problem = versionProblem(version);
  if (problem) throw new Error(`The build number '${buildNumber}' maps to ${problem}. ${hint}.`);
  return version;
}

function isDate(y: number, m: number, d: number): boolean {
  if (y < 1970 || y > 2999 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}
