/**
 * Runs a notebook headlessly with `run_notebook.py` (nbclient and the Deno
 * kernel; see the script for why each of its steps is needed).
 *
 * @module
 */

const runner = new URL("./run_notebook.py", import.meta.url).pathname;

/** One cell of the runner's summary. */
export interface CellSummary {
  readonly type: "code" | "markdown";
  readonly outputs: {
    readonly type: string;
    readonly mimes: string[];
    /** The stream's text, or the `text/plain` of a result or display. */
    readonly text: string;
    /** The `text/html` of a result or display, or `""`. */
    readonly html: string;
  }[];
}

/** What the run printed: its exit code, the cells (when it succeeded) and its stderr. */
export interface NotebookRun {
  readonly code: number;
  readonly cells: CellSummary[];
  readonly stderr: string;
}

/**
 * Runs `notebook` with the kernel `deno` (default: this Deno), in `cwd`.
 */
export async function runNotebook(
  notebook: string,
  options: {
    readonly deno?: string;
    readonly cwd?: string;
    /** More environment for the kernel. */
    readonly env?: Record<string, string>;
  } = {},
): Promise<NotebookRun> {
  const { code, stdout, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: [runner, notebook, options.deno ?? Deno.execPath()],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(240_000),
  }).output();
  const out = new TextDecoder().decode(stdout);
  return {
    code,
    cells: code === 0 ? JSON.parse(out) as CellSummary[] : [],
    stderr: new TextDecoder().decode(stderr),
  };
}
