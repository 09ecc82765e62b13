/**
 * The history of a simulated run, as a fingerprint: every event the run
 * observes (each message a host receives, each fault, each acknowledged or
 * failed ask, each accepted write) goes into a running hash in the order it
 * happened, with its virtual time. Two runs of one seed must end with the
 * same digest; when they do not, `events` (kept on request) shows where
 * they parted.
 *
 * @module
 */

/** Bytes of a random request id (`crypto.randomUUID`) in a frame, hidden from the hash. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const latin1 = new TextDecoder("latin1");

/** An ordered event history, hashed as it grows. */
export class History {
  #lo = 0x811c9dc5;
  #hi = 0x01000193;
  #count = 0;
  readonly #events: string[] | undefined;

  /** @param keepEvents Whether to keep every event's text, to find where two runs parted. */
  constructor(keepEvents = false) {
    this.#events = keepEvents ? [] : undefined;
  }

  /** Adds one event: its parts are joined with spaces. */
  record(...parts: readonly (string | number)[]): void {
    const text = parts.join(" ");
    this.#events?.push(text);
    this.#count++;
    let lo = this.#lo;
    let hi = this.#hi;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      lo = Math.imul(lo ^ c, 0x01000193);
      hi = Math.imul(hi ^ c, 0x5bd1e995) ^ (lo >>> 13);
    }
    // The separator keeps ["ab", "c"] apart from ["a", "bc"].
    this.#lo = Math.imul(lo ^ 0x0a, 0x01000193);
    this.#hi = Math.imul(hi ^ 0x0a, 0x5bd1e995) ^ (this.#lo >>> 13);
  }

  /** How many events were recorded. */
  get count(): number {
    return this.#count;
  }

  /** `<events>:<16 hex digits>`: equal for equal histories. */
  get digest(): string {
    const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
    return `${this.#count}:${hex(this.#hi)}${hex(this.#lo)}`;
  }

  /** The events' texts, in order, when kept (see the constructor). */
  get events(): readonly string[] | undefined {
    return this.#events;
  }
}

/**
 * A short fingerprint of a frame's bytes, with random request ids blanked
 * (they are fresh in every run and change nothing else).
 */
export function frameFingerprint(data: Uint8Array): string {
  let text = latin1.decode(data);
  if (text.length >= 36) text = text.replace(UUID, "<uuid>");
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `${data.byteLength}/${(h >>> 0).toString(16)}`;
}
