import assert from "node:assert/strict";
import { childSpec, defineSupervisor, JUPYTER_DISPLAY, showDeaths } from "../../../mod.ts";
import { Counter } from "../../_helpers/actors.ts";
import { withSystem } from "../../_helpers/system.ts";
import { escapeHtml } from "../../../actors/observe/display.ts";

const Pool = defineSupervisor({
  type: "pool",
  children: [0, 1].map((i) => childSpec(Counter, { id: `w${i}`, name: `w${i}` })),
});

Deno.test("a system displays in a notebook as HTML with its tree, and as text elsewhere", async () => {
  await withSystem(async (system) => {
    const pool = system.spawn(Pool, { name: "pool" });
    await pool.ask("which");
    const w1 = system.lookup("w1", Counter)!;
    w1.tell("fail", "<bad>");
    await w1.ask("get"); // queued behind the failure: answered once w1 has been restarted
    const bundle = system[JUPYTER_DISPLAY]();
    assert.match(bundle["text/html"], /<ul/);
    assert.match(bundle["text/html"], /<b>pool<\/b>/);
    assert.match(bundle["text/html"], /<b>w1<\/b>.*1 restart/);
    assert.match(bundle["text/html"], /Error: &lt;bad&gt;/, "escaped");
    assert.doesNotMatch(bundle["text/html"], /<bad>/);
    assert.match(bundle["text/plain"], /pool \(pool\) on/);
    assert.match(bundle["text/plain"], /└─ w1 \(counter\)/);
    assert.match(Deno.inspect(system), /^ActorSystem .* \(running\)/);
  });
});

Deno.test("an inspection displays richly but serialises to the same JSON as before", async () => {
  await withSystem(async (system) => {
    system.spawn(Counter, { name: "c" });
    const seen = await system.inspect();
    const display = (seen as unknown as { [JUPYTER_DISPLAY]: () => { "text/html": string } })[
      JUPYTER_DISPLAY
    ];
    assert.equal(typeof display, "function");
    assert.match(display()["text/html"], /<b>c<\/b>/);
    assert.ok(!Object.keys(seen).includes(String(JUPYTER_DISPLAY)));
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(seen))).sort(), [
      "actors",
      "deadLetters",
      "deaths",
      "hosts",
      "scope",
      "summaries",
      "takenAtMs",
      "tree",
    ]);
  });
});

Deno.test("refs and death records display in a notebook", async () => {
  await withSystem(async (system) => {
    const counter = system.spawn(Counter, { name: "c" });
    counter.tell("add", 2);
    await counter.ask("get");
    const card = (counter as unknown as { [JUPYTER_DISPLAY]: () => Record<string, string> })[
      JUPYTER_DISPLAY
    ]();
    assert.match(card["text/plain"], /handled: 2/);
    assert.match(card["text/html"], /<table/);
    await system.stop(counter);
    const shown = showDeaths(system.deaths.of(counter));
    assert.match(shown[JUPYTER_DISPLAY]()["text/html"], /stopped/);
    assert.match(String(shown), /c \(.*\), counter, on .*: stopped, stopped for good/);
    assert.match(system.deaths[JUPYTER_DISPLAY]()["text/html"], /<td[^>]*>c<\/td>/);
    assert.equal(String(showDeaths(undefined)), "no death records");
  });
});

Deno.test("HTML escaping covers the five dangerous characters", () => {
  assert.equal(
    escapeHtml(`<a href="x" title='y'>&</a>`),
    "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
  );
});
