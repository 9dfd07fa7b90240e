/**
 * New hosts' names: a prefix (by default the pool's host names without their trailing index, e.g.
 * `avd-prod-` from `avd-prod-3`) and an index one above the highest the pool has ever used (its
 * hosts' and the pool tag gip.hostIndex), so a removed host's name, and its stale device record,
 * is never reused. The name is both the VM name and the Windows computer name: 15 characters.
 */
import { InputError } from '../core/errors';

export const MAX_COMPUTER_NAME = 15;

/** A host's computer name: the first label of its session host name (an FQDN when AD-joined). */
export function computerName(sessionHostName: string): string {
  return sessionHostName.split('.')[0];
}

/** `avd-prod-` and 3 from `avd-prod-3`; undefined when the name has no trailing index. */
export function splitIndex(name: string): { prefix: string; index: number } | undefined {
  const m = /^(.*?)(\d+)$/.exec(computerName(name));
  return m && m[1] ? { prefix: m[1], index: Number(m[2]) } : undefined;
}

/**
 * The default prefix: the reference host's name without its index; with no host, the vmTemplate's
 * `namePrefix` and `-` as the portal names hosts. Undefined when neither says.
 */
export function defaultPrefix(
  referenceHostName: string | undefined,
  vmTemplate: string | undefined,
): string | undefined {
  if (referenceHostName) return splitIndex(referenceHostName)?.prefix;
  try {
    const doc = JSON.parse(vmTemplate ?? '') as { namePrefix?: unknown };
    return typeof doc.namePrefix === 'string' && doc.namePrefix ? `${doc.namePrefix}-` : undefined;
  } catch {
    return undefined;
  }
}

/** The highest index used under `prefix` by `names` and the pool tag's `tagIndex`. */
export function highestIndex(prefix: string, names: readonly string[], tagIndex: number): number {
  let max = tagIndex;
  for (const name of names) {
    const s = splitIndex(name);
    if (s && s.prefix.toLowerCase() === prefix.toLowerCase()) max = Math.max(max, s.index);
  }
  return max;
}

/** `count` new names after `highest`: prefix + index. */
export function nextNames(
  prefix: string,
  highest: number,
  count: number,
): { name: string; index: number }[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}${highest + 1 + i}`,
    index: highest + 1 + i,
  }));
}

/** Refuses names Windows can't take as computer names, naming the longest. */
export function checkNameLength(prefix: string, names: readonly string[]): void {
  const longest = names.reduce((a, b) => (b.length > a.length ? b : a), '');
  if (longest.length > MAX_COMPUTER_NAME)
    throw new InputError(
      'namePrefix',
      `'${prefix}' makes names up to '${longest}' (${longest.length} characters), longer than ` +
        `Windows' ${MAX_COMPUTER_NAME}-character computer name limit`,
      `a prefix of at most ${MAX_COMPUTER_NAME - (longest.length - prefix.length)} characters`,
    );
}
