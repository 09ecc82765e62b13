/**
 * Subscriptions indexed by subject tokens (a trie), so that routing one
 * message looks at the patterns that can match it, not at every
 * subscription: an in-memory bus of a thousand simulated hosts holds
 * thousands of inbox patterns. Matching is `subjectMatches`'s: `*` is one
 * token, `>` one or more at the end. Matches come back in the order they
 * were added, as a scan of every subscription would give them.
 *
 * @module
 */

interface Node<T> {
  readonly literal: Map<string, Node<T>>;
  star: Node<T> | undefined;
  /** Subscriptions whose pattern ends here. */
  readonly here: Set<Entry<T>>;
  /** Subscriptions whose pattern ends here with `>`. */
  readonly rest: Set<Entry<T>>;
}

interface Entry<T> {
  readonly value: T;
  readonly order: number;
}

const node = <T>(): Node<T> => ({
  literal: new Map(),
  star: undefined,
  here: new Set(),
  rest: new Set(),
});

/** Values indexed by the subject pattern each was added with. */
export class SubjectIndex<T> {
  readonly #root: Node<T> = node();
  readonly #entries = new Map<T, { entry: Entry<T>; pattern: string }>();
  #next = 0;

  /** Adds a value under a pattern (a value is added once). */
  add(pattern: string, value: T): void {
    if (this.#entries.has(value)) return;
    const entry = { value, order: this.#next++ };
    this.#entries.set(value, { entry, pattern });
    const tokens = pattern.split(".");
    let at = this.#root;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (token === ">" && i === tokens.length - 1) {
        at.rest.add(entry);
        return;
      }
      if (token === "*") at = at.star ??= node();
      else {
        let next = at.literal.get(token);
        if (next === undefined) at.literal.set(token, next = node());
        at = next;
      }
    }
    at.here.add(entry);
  }

  /** Removes a value; `false` when it was not there. */
  remove(value: T): boolean {
    const found = this.#entries.get(value);
    if (found === undefined) return false;
    this.#entries.delete(value);
    const tokens = found.pattern.split(".");
    const path: Node<T>[] = [this.#root];
    let at: Node<T> | undefined = this.#root;
    for (let i = 0; i < tokens.length && at !== undefined; i++) {
      const token = tokens[i];
      if (token === ">" && i === tokens.length - 1) {
        at.rest.delete(found.entry);
        at = undefined;
        break;
      }
      at = token === "*" ? at.star : at.literal.get(token);
      if (at !== undefined) path.push(at);
    }
    if (at !== undefined) at.here.delete(found.entry);
    // Empty branches go, or a bus of short-lived reply subjects would grow forever.
    for (let i = path.length - 1; i > 0; i--) {
      const child = path[i];
      if (child.here.size > 0 || child.rest.size > 0 || child.literal.size > 0 || child.star) break;
      const parent = path[i - 1];
      const token = tokens[i - 1];
      if (token === "*") parent.star = undefined;
      else parent.literal.delete(token);
    }
    return true;
  }

  /** The values whose pattern matches `subject`, in the order they were added. */
  match(subject: string): T[] {
    const found: Entry<T>[] = [];
    const tokens = subject.split(".");
    const walk = (at: Node<T>, i: number) => {
      if (i > 0 && i < tokens.length + 1 && at.rest.size > 0 && i < tokens.length) {
        for (const e of at.rest) found.push(e);
      }
      if (i === tokens.length) {
        for (const e of at.here) found.push(e);
        return;
      }
      const next = at.literal.get(tokens[i]);
      if (next !== undefined) walk(next, i + 1);
      if (at.star !== undefined) walk(at.star, i + 1);
    };
    if (tokens.length > 0 && this.#root.rest.size > 0) {
      for (const e of this.#root.rest) found.push(e);
    }
    walk(this.#root, 0);
    if (found.length > 1) found.sort((a, b) => a.order - b.order);
    return found.map((e) => e.value);
  }
}
