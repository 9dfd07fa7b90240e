/**
 * Durations as people type them in YAML: `90s`, `30m`, `2h`, `1h30m`, `1d`, or a bare number of
 * `bareUnit` (minutes for build timeouts, as the existing Microsoft task reads them).
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export type DurationUnit = 's' | 'm' | 'h';

export function parseDuration(text: string, bareUnit: DurationUnit = 'm'): number | undefined {
  const value = text.replace(/\s+/g, '').toLowerCase();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * UNIT_MS[bareUnit]);
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g))
    total += Number(amount) * UNIT_MS[unit];
  return Math.round(total);
}

/** `5400000` -> `1h 30m`; the inverse of parseDuration for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  seconds -= h * 3600;
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].filter(Boolean).join(' ') || '0s';
}
