/**
 * The Go client of `interop/go`, built once per test file and run as a
 * bounded child process that prints one JSON line.
 *
 * Go builds offline in GOPATH mode against Debian's packaged libraries
 * (`/usr/share/gocode`): no module is downloaded (see interop/go/README.md).
 *
 * @module
 */

const source = new URL("../../interop/go/", import.meta.url).pathname;

/** The Debian packages the Go client needs (tools/prerequisites.ts installs them). */
export const GO_PACKAGES =
  "golang-go golang-github-nats-io-go-nats-dev golang-github-vmihailenco-msgpack.v5-dev";

/** The environment of an offline GOPATH-mode build. */
export function goEnv(cacheDir: string): Record<string, string> {
  const hasCache = Deno.env.get("GOCACHE") ?? Deno.env.get("HOME") ??
    Deno.env.get("XDG_CACHE_HOME");
  return {
    GO111MODULE: "off",
    GOPATH: "/usr/share/gocode",
    GOFLAGS: "",
    GOPROXY: "off",
    GOTOOLCHAIN: "local",
    ...(hasCache === undefined ? { GOCACHE: cacheDir } : {}),
  };
}

/** A built client, and how to remove it. */
export interface GoClient {
  /** The binary. */
  readonly path: string;
  /** Removes the binary and its directory. */
  remove(): Promise<void>;
}

/**
 * Builds the client into a temporary directory.
 *
 * @throws {Error} When `go` is missing (naming the install command) or the build fails.
 */
export async function buildGoClient(): Promise<GoClient> {
  const dir = await Deno.makeTempDir({ prefix: "goclient-" });
  const path = `${dir}/goclient`;
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("go", {
      args: ["build", "-o", path, "."],
      cwd: source,
      env: goEnv(`${dir}/cache`),
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(300_000),
    }).output();
  } catch (err) {
    await Deno.remove(dir, { recursive: true });
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(
        `missing 'go' (the interop test builds interop/go). Run: apt-get install -y ${GO_PACKAGES} ` +
          "(deno task test installs them as root on Debian: tools/prerequisites.ts)",
      );
    }
    throw err;
  }
  if (!output.success) {
    await Deno.remove(dir, { recursive: true });
    throw new Error(`go build of interop/go failed:\n${new TextDecoder().decode(output.stderr)}`);
  }
  return { path, remove: () => Deno.remove(dir, { recursive: true }) };
}

/**
 * Runs the client's own Go tests (`go test`), offline like the build.
 *
 * @returns What `go test -v` printed.
 * @throws {Error} When a test fails, with its output.
 */
export async function goTest(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "goclient-test-" });
  try {
    const output = await new Deno.Command("go", {
      args: ["test", "-count=1", "-vet=off", "-v", "."],
      cwd: source,
      env: goEnv(`${dir}/cache`),
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(300_000),
    }).output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    if (!output.success) throw new Error(`go test of interop/go failed:\n${text}`);
    return text;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs the client with `args` (at most `timeoutMs`) and parses its JSON line.
 *
 * @throws {Error} When it exits unsuccessfully, with its stderr.
 */
export async function runGoClient(
  client: GoClient,
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<unknown> {
  const output = await new Deno.Command(client.path, {
    args: [...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(
      `goclient ${args.join(" ")} exited ${output.code}: ${
        new TextDecoder().decode(output.stderr)
      }${stdout}`,
    );
  }
  return JSON.parse(stdout);
}
