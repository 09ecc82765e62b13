/**
 * Makes sure the programs the test suite needs are installed, before
 * `deno task test` runs the tests: on a Debian machine as root it installs
 * what is missing with apt-get; anywhere else it stops at once and prints
 * the exact install command.
 *
 * Usage: deno run -A tools/prerequisites.ts
 *
 * @module
 */

/** A program the tests need. */
export interface Requirement {
  /** The command that must be on the PATH. */
  readonly command: string;
  /** Arguments with which it must succeed (print its version, import a module). */
  readonly checkArgs: readonly string[];
  /** Environment of the check, beside the inherited one. */
  readonly checkEnv?: Readonly<Record<string, string>>;
  /** The Debian packages that provide it. */
  readonly debianPackages: readonly string[];
  /** Why the tests need it. */
  readonly why: string;
}

/** What the test suite needs besides Deno. */
export const requirements: readonly Requirement[] = [
  {
    command: "nats-server",
    checkArgs: ["--version"],
    debianPackages: ["nats-server"],
    why: "JetStream KV store and cluster tests start their own nats-server",
  },
  {
    // Debian's own Python: the machine's default python3 may be another build
    // that does not see Debian's Python packages.
    command: "/usr/bin/python3",
    checkArgs: ["-c", "import nbclient, jupyter_client"],
    debianPackages: ["python3-nbclient", "jupyter-core", "jupyter-client"],
    why: "the notebook test runs examples/notebook.ipynb headlessly with nbclient",
  },
  {
    // Go's own libraries from Debian, built offline in GOPATH mode: no module downloads.
    command: "go",
    checkArgs: ["list", "github.com/nats-io/nats.go", "github.com/vmihailenco/msgpack/v5"],
    checkEnv: { GO111MODULE: "off", GOPATH: "/usr/share/gocode", GOFLAGS: "", GOPROXY: "off" },
    debianPackages: [
      "golang-go",
      "golang-github-nats-io-go-nats-dev",
      "golang-github-vmihailenco-msgpack.v5-dev",
    ],
    why: "the interop test builds the Go client of interop/go against Debian's Go libraries",
  },
  {
    command: "chromium",
    checkArgs: ["--headless", "--no-sandbox", "--version"],
    debianPackages: ["chromium"],
    why: "the dashboard test drives headless Chromium through the DevTools protocol",
  },
];

/** What to do about one missing requirement on this machine. */
export type Plan =
  | { readonly kind: "present" }
  | { readonly kind: "install"; readonly command: string[] }
  | { readonly kind: "stop"; readonly message: string };

/** Facts about the machine that decide the plan. */
export interface MachineFacts {
  /** Whether the requirement's command runs. */
  readonly present: boolean;
  /** Whether this process runs as root. */
  readonly root: boolean;
  /** Whether apt-get exists (a Debian-like system). */
  readonly apt: boolean;
}

/** Decides what to do about a requirement (pure, for the tests). */
export function plan(requirement: Requirement, facts: MachineFacts): Plan {
  if (facts.present) return { kind: "present" };
  if (facts.root && facts.apt) {
    return {
      kind: "install",
      command: [
        "apt-get",
        "install",
        "-y",
        "--no-install-recommends",
        ...requirement.debianPackages,
      ],
    };
  }
  const packages = requirement.debianPackages.join(" ");
  const install = facts.apt
    ? `sudo apt-get install -y ${packages}`
    : `install ${requirement.command} (Debian/Ubuntu: apt-get install -y ${packages})`;
  return {
    kind: "stop",
    message: `missing '${requirement.command}' (${requirement.why}). Run: ${install}`,
  };
}

async function runs(
  command: string,
  args: string[],
  env: Readonly<Record<string, string>> = {},
): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, {
      args,
      env: { ...env },
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

async function aptInstall(command: string[]): Promise<boolean> {
  const attempt = async () =>
    (await new Deno.Command(command[0], {
      args: command.slice(1),
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "inherit",
      stderr: "inherit",
    }).output()).success;
  if (await attempt()) return true;
  // A fresh machine may have no package lists yet.
  await new Deno.Command("apt-get", { args: ["update"], stdout: "inherit", stderr: "inherit" })
    .output();
  return await attempt();
}

if (import.meta.main) {
  const root = Deno.uid() === 0;
  const apt = await runs("apt-get", ["--version"]);
  let failed = false;
  for (const requirement of requirements) {
    const check = () => runs(requirement.command, [...requirement.checkArgs], requirement.checkEnv);
    const present = await check();
    const decision = plan(requirement, { present, root, apt });
    switch (decision.kind) {
      case "present":
        break;
      case "install":
        console.error(
          `installing ${decision.command.slice(4).join(" ")}: ${decision.command.join(" ")}`,
        );
        if (
          !(await aptInstall(decision.command)) ||
          !(await check())
        ) {
          console.error(`could not install ${requirement.debianPackages.join(" ")}`);
          failed = true;
        }
        break;
      case "stop":
        console.error(decision.message);
        failed = true;
        break;
      default: {
        const unknown: never = decision;
        throw new Error(`unknown plan ${JSON.stringify(unknown)}`);
      }
    }
  }
  if (failed) Deno.exit(1);
}
