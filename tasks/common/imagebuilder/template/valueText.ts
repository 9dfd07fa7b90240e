/**
 * A value of a template (a template file's, or one read back from Azure) as names and messages
 * show it: a string as it is, anything else as JSON, so an object is shown, not `[object Object]`.
 */
export function textOf(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined ? 'undefined' : JSON.stringify(v);
}
