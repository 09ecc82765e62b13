/**
 * What a host keeps of the batches it sent, to report their envelopes if a
 * batch is not delivered (see `outbound.ts`).
 *
 * Envelopes of one batch mostly share their kind, target, name and type (a
 * loop of tells or asks to one actor), so the log keeps one payload per
 * envelope (and a correlation id per ask) and those fields once per run of
 * envelopes that share them: no object per envelope, one slot in one list
 * for a tell (measured: six slots per envelope cost a remote tell more than
 * its encoding). Payloads of large envelopes are not kept at all (the
 * caller passes `undefined`): a report names their message, not their bytes.
 *
 * @module
 */

/** What is remembered of a sent envelope, to report it if it is not delivered. */
export interface SentEnvelope {
  /** Its kind. */
  readonly kind: "tell" | "ask" | "reply" | "undeliverable";
  /** The target actor (tells and asks). */
  readonly to?: string;
  /** The message name (tells and asks). */
  readonly name?: string;
  /** The payload (tells and asks). */
  readonly payload?: unknown;
  /** The correlation id (asks). */
  readonly correlation?: number;
  /** The target's actor type (tells and asks). */
  readonly type?: string;
}

/** Values kept per run: the index of its first payload, kind, to, name, type. */
const RUN = 5;

/** The tells and asks of one batch, in order (nothing else of a batch is reported). */
export class SentLog {
  #payloads: unknown[] = [];
  /** The correlation id of each ask, in order (asks of one run differ only in it and their payload). */
  #correlations: (number | undefined)[] = [];
  #runs: unknown[] = [];
  #kind: SentEnvelope["kind"] | undefined;
  #to: string | undefined;
  #name: string | undefined;
  #type: string | undefined;

  /** How many envelopes it holds. */
  get size(): number {
    return this.#payloads.length;
  }

  /** Records an envelope (`correlation`: an ask's). */
  add(
    kind: SentEnvelope["kind"],
    to: string | undefined,
    name: string | undefined,
    payload: unknown,
    correlation: number | undefined,
    type: string | undefined,
  ): void {
    if (
      this.#runs.length === 0 || kind !== this.#kind || to !== this.#to || name !== this.#name ||
      type !== this.#type
    ) {
      this.#runs.push(this.#payloads.length, kind, to, name, type);
      this.#kind = kind;
      this.#to = to;
      this.#name = name;
      this.#type = type;
    }
    this.#payloads.push(payload);
    if (kind === "ask") this.#correlations.push(correlation);
  }

  /** The envelopes, one object each (when they are reported). */
  envelopes(): SentEnvelope[] {
    const out: SentEnvelope[] = [];
    const runs = this.#runs;
    let asks = 0;
    for (let r = 0; r < runs.length; r += RUN) {
      const end = r + RUN < runs.length ? runs[r + RUN] as number : this.#payloads.length;
      const kind = runs[r + 1] as SentEnvelope["kind"];
      for (let i = runs[r] as number; i < end; i++) {
        out.push({
          kind,
          to: runs[r + 2] as string | undefined,
          name: runs[r + 3] as string | undefined,
          payload: this.#payloads[i],
          correlation: kind === "ask" ? this.#correlations[asks++] : undefined,
          type: runs[r + 4] as string | undefined,
        });
      }
    }
    return out;
  }
}

/**
 * The batches sent lately, by number: numbers are given in order, one per
 * batch remembered, so they are found by position, and forgotten oldest first.
 */
export class SentBatches {
  /** The number of the batch at position 0. */
  #first = 0;
  /** Position of the oldest batch still remembered. */
  #head = 0;
  #hosts: (string | undefined)[] = [];
  #logs: (SentLog | undefined)[] = [];
  #times: number[] = [];
  /** The chunked transfer of each chunk batch (`undefined` for other batches). */
  #transfers: (number | undefined)[] = [];

  /**
   * Remembers a batch: its host, its tells and asks, and when it went.
   *
   * @returns Its number.
   */
  remember(host: string, log: SentLog | undefined, atMs: number, transfer?: number): number {
    this.#hosts.push(host);
    this.#logs.push(log);
    this.#times.push(atMs);
    this.#transfers.push(transfer);
    return this.#first + this.#hosts.length - 1;
  }

  /** Takes a batch out (a bounce): `undefined` when it is forgotten or was taken already. */
  take(
    batch: number,
  ): { host: string; log: SentLog | undefined; atMs: number; transfer?: number } | undefined {
    const i = batch - this.#first;
    if (!Number.isSafeInteger(i) || i < this.#head || i >= this.#hosts.length) return undefined;
    const host = this.#hosts[i];
    if (host === undefined) return undefined;
    const taken = { host, log: this.#logs[i], atMs: this.#times[i], transfer: this.#transfers[i] };
    this.#hosts[i] = undefined;
    this.#logs[i] = undefined;
    return taken;
  }

  /** Forgets the batches sent at or before `cutoffMs`. */
  forgetUntil(cutoffMs: number): void {
    const times = this.#times;
    let head = this.#head;
    while (head < times.length && times[head] <= cutoffMs) {
      this.#hosts[head] = undefined;
      this.#logs[head] = undefined;
      head++;
    }
    if (head > 1024 && head * 2 > times.length) {
      this.#hosts.splice(0, head);
      this.#logs.splice(0, head);
      this.#transfers.splice(0, head);
      times.splice(0, head);
      this.#first += head;
      head = 0;
    }
    this.#head = head;
  }
}
