/**
 * The view of the cluster: marks change a member's state, but a host that
 * left or was lost is not made a member again by a late one (a bounce of a
 * batch sent to its closed inbox marks it unreachable).
 */

import assert from "node:assert/strict";
import { ClusterView, isMember } from "../../cluster/view.ts";
import { hostAnnouncement } from "../_helpers/host_announcement.ts";

function viewOf(): ClusterView {
  const view = new ClusterView("me");
  view.announce(hostAnnouncement("other", { inbox: "x" }), 0);
  return view;
}

Deno.test("a member marked unreachable stays a member", () => {
  const view = viewOf();
  view.mark("other", "unreachable", 10);
  assert.equal(view.get("other")?.state, "unreachable");
  assert.ok(isMember(view.get("other")!.state));
});

for (const gone of ["left", "lost"] as const) {
  Deno.test(`a host that ${gone === "left" ? "left" : "was lost"} is not made a member again by a late unreachable mark`, () => {
    const view = viewOf();
    view.mark("other", gone, 10);
    view.mark("other", "unreachable", 20);
    assert.equal(view.get("other")?.state, gone);
  });
}

Deno.test("the lowest up host is found by id among the hosts that are up, whatever their order", () => {
  const view = new ClusterView("m");
  for (const id of ["z", "m", "b", "a"]) view.announce(hostAnnouncement(id, { inbox: "x" }), 0);
  assert.equal(view.isLowestUp("a"), true);
  assert.equal(view.isLowestUp("m"), false);
  view.mark("a", "lost", 1);
  assert.equal(view.isLowestUp("a"), false, "a lost host is not up");
  assert.equal(view.isLowestUp("b"), true);
  view.mark("b", "unreachable", 2);
  assert.equal(view.isLowestUp("m"), true, "a suspect is not up");
  assert.equal(view.isLowestUp("unknown"), false);
});
