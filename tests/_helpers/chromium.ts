/**
 * Headless Chromium (Debian's `chromium`) driven through the DevTools
 * protocol over a WebSocket: open a page, evaluate JavaScript in it, take a
 * screenshot. No browser download: a missing `chromium` is an error that
 * names the install command.
 *
 * @module
 */

/** A page open in the browser. */
export interface BrowserPage {
  /** Evaluates an expression in the page (awaiting a promise) and returns its value. */
  evaluate<T>(expression: string): Promise<T>;
  /** A PNG of the page as it looks now. */
  screenshot(): Promise<Uint8Array>;
}

/** A running browser. */
export interface Browser extends AsyncDisposable {
  /** Opens `url` in a new page of `width` x `height` CSS pixels. */
  open(url: string, width?: number, height?: number): Promise<BrowserPage>;
}

const INSTALL = "apt-get install -y chromium";

/** Starts headless Chromium with a fresh profile. */
export async function startChromium(): Promise<Browser> {
  const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("chromium", {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        `--user-data-dir=${profile}`,
        "about:blank",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`chromium is not installed; install it with: ${INSTALL}`);
    }
    throw err;
  }
  const endpoint = await devtoolsUrl(child);
  const base = `http://${new URL(endpoint).host}`;
  const sockets: WebSocket[] = [];
  return {
    async open(url, width = 1280, height = 900) {
      const target = await (await fetch(`${base}/json/new?${encodeURI(url)}`, { method: "PUT" }))
        .json() as { webSocketDebuggerUrl: string };
      const session = await connect(target.webSocketDebuggerUrl);
      sockets.push(session.socket);
      await session.send("Emulation.setDeviceMetricsOverride", {
        width,
        height,
        deviceScaleFactor: 1,
        mobile: false,
      });
      return {
        async evaluate<T>(expression: string): Promise<T> {
          const reply = await session.send("Runtime.evaluate", {
            expression,
            awaitPromise: true,
            returnByValue: true,
          }) as { result: { value: T }; exceptionDetails?: { text: string } };
          if (reply.exceptionDetails !== undefined) {
            throw new Error(`in the page: ${JSON.stringify(reply.exceptionDetails)}`);
          }
          return reply.result.value;
        },
        async screenshot() {
          const { data } = await session.send("Page.captureScreenshot", { format: "png" }) as {
            data: string;
          };
          return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        },
      };
    },
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.close();
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** Reads the DevTools WebSocket URL that Chromium prints on stderr, keeping stderr drained. */
async function devtoolsUrl(child: Deno.ChildProcess): Promise<string> {
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
    if (match !== null) {
      (async () => {
        try {
          while (!(await reader.read()).done);
        } catch {
          // the browser is gone
        }
      })();
      return match[1];
    }
  }
  throw new Error(`chromium did not start its DevTools server; it printed:\n${text}`);
}

async function connect(url: string) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`cannot open ${url}`));
  });
  let next = 1;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    const pending = waiting.get(message.id);
    if (pending === undefined) return;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(JSON.stringify(message.error)));
    else pending.resolve(message.result);
  };
  return {
    socket,
    send(method: string, params: unknown): Promise<unknown> {
      const id = next++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
    },
  };
}
