/**
 * What a task will do, printed the same way by every task before it writes anything (or instead of
 * writing, for a dry run or `validate`): a title with the counts, then one line per item, verb
 * first.
 *
 *   Plan (nothing is changed yet): 2 to create, 1 to keep
 *     create  gallery golden in westeurope — missing
 *     create  version 1.0.0 from managed image img-1 in westeurope — missing
 *             replicated to westeurope (1 replica, Standard_LRS)
 *     keep    version 0.9.0 — one of the newest 2
 *
 * Plain text: the Azure Pipelines log has no tables, so the verbs are padded to one column instead.
 */

/**
 * What is done to a thing. Grants, uploads and new sharing members are `create` (something is
 * added); `keep` is a thing looked at and left as it is, listed so the plan says why.
 */
export type PlanAction = 'create' | 'update' | 'delete' | 'keep';

export interface PlanItem {
  action: PlanAction;
  /** The thing acted on, as the log names it: `gallery golden in westeurope`, `version 1.0.2`. */
  target: string;
  /**
   * Why this action, in a few words: `missing`, `this job published it already`, `older than the
   * newest 3`.
   */
  reason: string;
  /** Lines printed under the item: what changes, what it is made with. */
  details?: string[];
}

const ACTIONS: readonly PlanAction[] = ['create', 'update', 'delete', 'keep'];
const VERB_WIDTH = Math.max(...ACTIONS.map((a) => a.length));
const ITEM_INDENT = '  ';
const DETAIL_INDENT = ' '.repeat(ITEM_INDENT.length + VERB_WIDTH + 2);

/**
 * The plan as one log message (lines joined by `\n`).
 * - `title`: the first line without its colon, saying whether anything is written, e.g.
 *   `Plan (nothing is changed yet)` or `Would do (validate: nothing is changed)`; the counts follow
 * it
 *   (`: 2 to create, 1 to keep`, or `: nothing to change` when every item is keep or there is
 * none).
 * - `items`: in the order the task acts; each printed as `  <verb>  <target> — <reason>`, its
 *   details below it, indented to the target.
 */
export function renderPlan(title: string, items: readonly PlanItem[]): string {
  const lines = [`${title}: ${countPlan(items)}`];
  for (const item of items) {
    lines.push(`${ITEM_INDENT}${item.action.padEnd(VERB_WIDTH)}  ${item.target} — ${item.reason}`);
    for (const d of item.details ?? []) lines.push(`${DETAIL_INDENT}${d}`);
  }
  return lines.join('\n');
}

/** Whether carrying out the plan writes anything (an item that is not keep). */
export function planChanges(items: readonly PlanItem[]): boolean {
  return items.some((i) => i.action !== 'keep');
}

/** `2 to create, 1 to update, 4 to keep`; `nothing to change` when no item writes. */
function countPlan(items: readonly PlanItem[]): string {
  if (!planChanges(items)) return 'nothing to change';
  return ACTIONS.map((a) => [a, items.filter((i) => i.action === a).length] as const)
    .filter(([, n]) => n > 0)
    .map(([a, n]) => `${n} to ${a}`)
    .join(', ');
}
