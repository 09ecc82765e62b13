/**
 * The module allowlist compares normalised URLs on path boundaries: every
 * trick that turns a string prefix into an escape is refused.
 */

import assert from "node:assert/strict";
import { checkModule, parseModuleLocations } from "../../cluster/module_allowlist.ts";
import { InvalidOptionError } from "../../mod.ts";

const DIR = parseModuleLocations(["file:///srv/allowed/"]);
const NO_SLASH = parseModuleLocations(["file:///srv/allowed"]);
const FILE = parseModuleLocations(["file:///srv/one/defs.ts"]);

const cases: [
  string,
  readonly ReturnType<typeof parseModuleLocations>[number][],
  string,
  boolean,
][] = [
  ["a file in the folder", DIR, "file:///srv/allowed/defs.ts", true],
  ["a file in a subfolder", DIR, "file:///srv/allowed/sub/defs.ts", true],
  ["a versioned import (?v=) of an allowed file", DIR, "file:///srv/allowed/a.ts?v=0a1b2c", true],
  ["a fragment", DIR, "file:///srv/allowed/a.ts#x", true],
  ["`file:` without slashes is the same URL", DIR, "file:srv/allowed/a.ts", true],
  ["an upper-case scheme", DIR, "FILE:///srv/allowed/a.ts", true],
  ["an encoded ordinary letter", DIR, "file:///srv/%61llowed/a.ts", true],
  ["../ out of the folder", DIR, "file:///srv/allowed/../outside/evil.js", false],
  ["%2e%2e out of the folder", DIR, "file:///srv/allowed/%2e%2e/outside/evil.js", false],
  [".%2E out of the folder", DIR, "file:///srv/allowed/.%2E/outside/evil.js", false],
  ["backslashes out of the folder", DIR, "file:///srv/allowed\\..\\outside\\evil.js", false],
  ["an encoded slash (%2f)", DIR, "file:///srv/allowed/..%2f..%2foutside%2fevil.js", false],
  ["an encoded backslash (%5c)", DIR, "file:///srv/allowed/..%5coutside.js", false],
  ["an encoded NUL", DIR, "file:///srv/allowed/a.ts%00.js", false],
  ["a sibling folder sharing the prefix", DIR, "file:///srv/allowed-evil/evil.js", false],
  ["a sibling without trailing slash", NO_SLASH, "file:///srv/allowed-evil/evil.js", false],
  ["a file in a folder given without slash", NO_SLASH, "file:///srv/allowed/a.ts", true],
  ["the folder itself given with a slash", DIR, "file:///srv/allowed", false],
  ["another case of the folder's name", DIR, "file:///srv/Allowed/a.ts", false],
  ["a file on another host", DIR, "file://evil.example/srv/allowed/a.ts", false],
  ["the exact file", FILE, "file:///srv/one/defs.ts", true],
  ["the exact file, versioned", FILE, "file:///srv/one/defs.ts?v=abc", true],
  ["a neighbour of the exact file", FILE, "file:///srv/one/other.ts", false],
  ["a name extending the exact file", FILE, "file:///srv/one/defs.ts.evil.js", false],
  ["a data: URL", DIR, "data:text/javascript,Deno.exit(7)", false],
  ["a blob: URL", DIR, "blob:https://example.com/0b8a", false],
  ["an https: module", DIR, "https://example.com/srv/allowed/a.ts", false],
  ["an http: module", DIR, "http://127.0.0.1/srv/allowed/a.ts", false],
  ["an npm: module", DIR, "npm:left-pad@1.3.0", false],
  ["a jsr: module", DIR, "jsr:@std/async", false],
  ["a node: module", DIR, "node:child_process", false],
  ["a relative path", DIR, "./allowed/a.ts", false],
  ["an absolute path that is not a URL", DIR, "/srv/allowed/a.ts", false],
  ["an empty module", DIR, "", false],
  ["anything, with no location", [], "file:///srv/allowed/a.ts", false],
  ["npm: when npm: is allowed", parseModuleLocations(["npm:"]), "npm:left-pad@1.3.0", true],
  ["data: when only npm: is", parseModuleLocations(["npm:"]), "data:text/javascript,1", false],
  [
    "one package when it is allowed",
    parseModuleLocations(["npm:left-pad@1.3.0"]),
    "npm:left-pad@1.3.0/index.js",
    true,
  ],
  [
    "another version of an allowed package",
    parseModuleLocations(["npm:left-pad@1.3.0"]),
    "npm:left-pad@1.3.01",
    false,
  ],
  [
    "an allowed origin",
    parseModuleLocations(["https://mods.example/actors/"]),
    "https://MODS.example/actors/a.ts",
    true,
  ],
  [
    "another port of an allowed origin",
    parseModuleLocations(["https://mods.example/actors/"]),
    "https://mods.example:8443/actors/a.ts",
    false,
  ],
  [
    "a user in the URL of an allowed origin",
    parseModuleLocations(["https://mods.example/actors/"]),
    "https://evil@mods.example/actors/a.ts",
    false,
  ],
  [
    "a file: module when only https: is allowed",
    parseModuleLocations(["https://mods.example/"]),
    "file:///actors/a.ts",
    false,
  ],
];

for (const [what, locations, specifier, allowed] of cases) {
  Deno.test(`${allowed ? "admits" : "refuses"} ${what}: ${specifier}`, () => {
    const verdict = checkModule(specifier, locations);
    assert.equal(verdict.ok, allowed, JSON.stringify(verdict));
    if (verdict.ok) assert.equal(verdict.url, new URL(specifier).href);
    else assert.ok(verdict.reason.length > 0);
  });
}

Deno.test("the URL to import is the normalised one, query kept", () => {
  const verdict = checkModule("FILE:///srv/allowed/./sub/../a.ts?v=1", DIR);
  assert.deepEqual(verdict, { ok: true, url: "file:///srv/allowed/a.ts?v=1" });
});

Deno.test("a refusal names the allowed locations, or says there are none", () => {
  const refused = checkModule("file:///etc/evil.js", DIR);
  assert.ok(
    !refused.ok &&
      /not under an allowed location \(file:\/\/\/srv\/allowed\/\)/.test(refused.reason),
  );
  const none = checkModule("file:///etc/evil.js", []);
  assert.ok(!none.ok && /imports no modules from the wire/.test(none.reason));
});

for (
  const [what, entry] of [
    ["an empty location", ""],
    ["a blank location", "  "],
    ["a relative path", "./actors/"],
    ["a location with a query", "file:///srv/a.ts?v=1"],
    ["a location with a fragment", "file:///srv/a.ts#x"],
    ["a location with an encoded slash", "file:///srv/a%2fb/"],
  ] as const
) {
  Deno.test(`${what} is an InvalidOptionError`, () => {
    assert.throws(() => parseModuleLocations([entry]), InvalidOptionError);
  });
}
