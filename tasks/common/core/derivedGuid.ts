import { createHash } from 'crypto';

/**
 * A GUID derived from the parts, case-insensitively, for Azure names that must be GUIDs (role
 * definitions, role assignments): the same parts always give the same name, so a rerun finds what
 * an earlier run made. The output must never change, or names made before would no longer be found.
 */
export function derivedGuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|').toLowerCase()).digest('hex');
  return (
    `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-` +
    `${h.slice(20, 32)}`
  );
}
