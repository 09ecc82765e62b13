/**
 * One logger for everything the framework says: levels, fields (host,
 * actor, message, ...), text or JSON lines. Quiet by default: only warnings
 * (dead letters, a few a second) and errors (failures nothing supervises).
 * Choose with the `log` option of `ActorSystem.start`, or with the
 * environment: `ACTORS_LOG=debug|info|warn|error|silent` and
 * `ACTORS_LOG_FORMAT=text|json`.
 *
 * @module
 */

import { InvalidOptionError } from "../../base/errors.ts";

/** How much to say, from most to least. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Structured context of a log line. */
export interface LogFields {
  /** The actor concerned (id, or `name (id)`). */
  readonly actor?: string;
  /** The message name concerned. */
  readonly message?: string;
  /** Anything else worth a field. */
  readonly [key: string]: unknown;
}

/** One log record, as handed to a sink. */
export interface LogRecord {
  /** Its level. */
  readonly level: Exclude<LogLevel, "silent">;
  /** When, in milliseconds since the epoch. */
  readonly timeMs: number;
  /** The host that logged it. */
  readonly host: string;
  /** What happened, in words. */
  readonly text: string;
  /** Its fields. */
  readonly fields: LogFields;
}

/** Where records go instead of the console (tests, your own logging). */
export type LogSink = (record: LogRecord) => void;

/** Options of the logger (`log` in `ActorSystem.start`). */
export interface LogOptions {
  /**
   * The least severe level written.
   * @default {$ACTORS_LOG, else "warn"}
   */
  readonly level?: LogLevel;
  /**
   * Line format on the console.
   * @default {$ACTORS_LOG_FORMAT, else "text"}
   */
  readonly format?: "text" | "json";
  /**
   * Receives every record at or above the level instead of the console.
   * @default {undefined} (the console: errors and warnings to stderr)
   */
  readonly sink?: LogSink;
}

function fromEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no permission to read the environment
  }
}

function checkLevel(value: unknown, source: string): LogLevel {
  if (typeof value === "string" && value in RANK) return value as LogLevel;
  throw new InvalidOptionError(source, value, "debug, info, warn, error or silent");
}

/** Formats a record as one text line. */
export function textLine(record: LogRecord): string {
  const fields = Object.entries(record.fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v)}`);
  return `${new Date(record.timeMs).toISOString()} ${record.level.toUpperCase().padEnd(5)} ` +
    `[${record.host}] ${record.text}${fields.length === 0 ? "" : `  ${fields.join(" ")}`}`;
}

/** Formats a record as one JSON line. */
export function jsonLine(record: LogRecord): string {
  return JSON.stringify({
    time: new Date(record.timeMs).toISOString(),
    level: record.level,
    host: record.host,
    text: record.text,
    ...record.fields,
  });
}

/** The logger of one actor system. */
export class Logger {
  /** The least severe level written. */
  readonly level: LogLevel;
  #rank: number;
  #host: string;
  #sink: LogSink;

  /**
   * Makes a logger.
   *
   * @param host The host id on every record.
   * @param options Level, format and sink; unset ones come from the environment.
   * @throws {InvalidOptionError} For an unknown level or format.
   */
  constructor(host: string, options: LogOptions = {}) {
    this.#host = host;
    const envLevel = fromEnv("ACTORS_LOG");
    this.level = options.level !== undefined
      ? checkLevel(options.level, "log.level")
      : envLevel !== undefined && envLevel !== ""
      ? checkLevel(envLevel, "ACTORS_LOG")
      : "warn";
    this.#rank = RANK[this.level];
    const format = options.format ?? (fromEnv("ACTORS_LOG_FORMAT") || "text");
    if (format !== "text" && format !== "json") {
      throw new InvalidOptionError("log.format", format, "text or json");
    }
    const line = format === "json" ? jsonLine : textLine;
    this.#sink = options.sink ?? ((record) => {
      const text = line(record);
      if (record.level === "error") console.error(text);
      else if (record.level === "warn") console.warn(text);
      else console.log(text);
    });
  }

  /** Whether records of this level are written (check before building costly fields). */
  enabled(level: Exclude<LogLevel, "silent">): boolean {
    return RANK[level] >= this.#rank;
  }

  /** Writes a debug record. */
  debug(text: string, fields: LogFields = {}): void {
    if (RANK.debug >= this.#rank) this.#write("debug", text, fields);
  }

  /** Writes an info record. */
  info(text: string, fields: LogFields = {}): void {
    if (RANK.info >= this.#rank) this.#write("info", text, fields);
  }

  /** Writes a warning. */
  warn(text: string, fields: LogFields = {}): void {
    if (RANK.warn >= this.#rank) this.#write("warn", text, fields);
  }

  /** Writes an error. */
  error(text: string, fields: LogFields = {}): void {
    if (RANK.error >= this.#rank) this.#write("error", text, fields);
  }

  /**
   * Writes a record another host made (a worker host in this process), if
   * its level is enabled here, keeping its host and time.
   *
   * @param record The record as that host's logger made it.
   */
  relay(record: LogRecord): void {
    if (RANK[record.level] >= this.#rank) this.#emit(record);
  }

  #write(level: LogRecord["level"], text: string, fields: LogFields): void {
    this.#emit({ level, timeMs: Date.now(), host: this.#host, text, fields });
  }

  #emit(record: LogRecord): void {
    try {
      this.#sink(record);
    } catch {
      // A failing sink must not take the host down with it.
    }
  }
}
