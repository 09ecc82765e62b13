"""Runs a Deno notebook headlessly with nbclient and prints a JSON summary of its outputs.

Usage: /usr/bin/python3 run_notebook.py <notebook.ipynb> <path to deno>

It writes its own Deno kernelspec into a temporary folder (JUPYTER_PATH), adds a first cell that
records background errors and a last cell that fails if any were recorded, keeps reading a cell's
outputs (and updates of displays, `update_display_data`) for a moment after the kernel reports it
idle (Deno 2.9 sometimes sends them late), and fails on any cell error. An output shows the last
state of its display: nbclient applies each update to the output with the same display_id. See
../../../shared/notes/notebook.md for why each of these is needed.
"""

import asyncio
import json
import os
import queue
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

GUARD_FIRST = """const notebookErrors: string[] = [];
globalThis.addEventListener("error", (e) => {
  e.preventDefault();
  notebookErrors.push(String(e.error?.stack ?? e.message));
});
globalThis.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  notebookErrors.push(String(e.reason?.stack ?? e.reason));
});"""

GUARD_LAST = """if (notebookErrors.length > 0) {
  throw new Error(`errors outside cells:\\n${notebookErrors.join("\\n")}`);
}"""

LATE_OUTPUT_S = 0.25


class DrainingClient(NotebookClient):
    """Collects outputs that arrive shortly after a cell reported idle."""

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        result = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if cell.cell_type != "code":
            return result
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LATE_OUTPUT_S
        while (remaining := deadline - loop.time()) > 0:
            try:
                msg = await self.kc.iopub_channel.get_msg(timeout=remaining)
            except queue.Empty:
                break
            if msg["msg_type"] in (
                "display_data", "update_display_data", "execute_result", "stream", "error"
            ):
                self.process_message(msg, cell, cell_index)
        return result


def main():
    notebook_path, deno = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as jupyter_path:
        kernel_dir = os.path.join(jupyter_path, "kernels", "deno")
        os.makedirs(kernel_dir)
        with open(os.path.join(kernel_dir, "kernel.json"), "w") as f:
            json.dump({
                "argv": [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
                "display_name": "Deno",
                "language": "typescript",
            }, f)
        os.environ["JUPYTER_PATH"] = jupyter_path
        os.environ["NO_COLOR"] = "1"
        nb = nbformat.read(notebook_path, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_code_cell(GUARD_FIRST))
        nb.cells.append(nbformat.v4.new_code_cell(GUARD_LAST))
        client = DrainingClient(
            nb,
            kernel_name="deno",
            timeout=120,
            resources={"metadata": {"path": os.path.dirname(os.path.abspath(notebook_path))}},
        )
        try:
            client.execute()
        except CellExecutionError as err:
            print(str(err).splitlines()[-1] if str(err) else "cell failed", file=sys.stderr)
            print(str(err), file=sys.stderr)
            sys.exit(1)
    summary = []
    for cell in nb.cells[1:-1]:
        outputs = []
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            outputs.append({
                "type": o["output_type"],
                "mimes": sorted(data.keys()),
                "text": o.get("text", "") or data.get("text/plain", ""),
                "html": data.get("text/html", ""),
            })
        summary.append({"type": cell.cell_type, "outputs": outputs})
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
