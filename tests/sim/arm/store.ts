// The resource store: ARM documents keyed by lower-cased id, in creation order. Resources keep the
// id and name casing of their creation. `meta` holds what a resource has but GET does not show
// (keys...).
import { isAncestorOrSelf, normalisePath } from './paths';

export interface StoredResource {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
  properties?: any;
  [k: string]: any;
}

interface Entry {
  doc: StoredResource;
  meta: Record<string, any>;
}

export class ResourceStore {
  private readonly entries = new Map<string, Entry>();

  private key(id: string): string {
    return normalisePath(id).toLowerCase();
  }

  get(id: string): StoredResource | undefined {
    return this.entries.get(this.key(id))?.doc;
  }

  has(id: string): boolean {
    return this.entries.has(this.key(id));
  }

  /** Internal data of a resource (not shown by GET); created on first use. */
  meta(id: string): Record<string, any> {
    const e = this.entries.get(this.key(id));
    if (!e) throw new Error(`no resource ${id}`);
    return e.meta;
  }

  /** Inserts or replaces; a replaced resource keeps its place, its id/name casing and its meta. */
  put(doc: StoredResource): StoredResource {
    const k = this.key(doc.id);
    const existing = this.entries.get(k);
    if (existing) {
      doc.id = existing.doc.id;
      doc.name = existing.doc.name;
      existing.doc = doc;
    } else {
      this.entries.set(k, { doc, meta: {} });
    }
    return doc;
  }

  /** Removes a resource and everything below it; returns what was removed, deepest first. */
  delete(id: string): StoredResource[] {
    const removed = this.list({ under: id }).reverse();
    const self = this.get(id);
    if (self) removed.push(self);
    for (const r of removed) this.entries.delete(this.key(r.id));
    return removed;
  }

  /** Resources in creation order, optionally of one type and/or strictly below an id. */
  list(filter: { type?: string; under?: string } = {}): StoredResource[] {
    const type = filter.type?.toLowerCase();
    const out: StoredResource[] = [];
    for (const { doc } of this.entries.values()) {
      if (type !== undefined && doc.type.toLowerCase() !== type) continue;
      if (
        filter.under !== undefined &&
        (!isAncestorOrSelf(filter.under, doc.id) || this.key(filter.under) === this.key(doc.id))
      )
        continue;
      out.push(doc);
    }
    return out;
  }

  all(): StoredResource[] {
    return [...this.entries.values()].map((e) => e.doc);
  }
}
