import assert from "node:assert/strict";
import { SubjectIndex } from "../../transport/_subject_index.ts";
import { subjectMatches } from "../../transport/subject_match.ts";

const PATTERNS = ["a.b", "a.*", "a.>", ">", "*", "a.*.c", "*.b.>", "a.b.c", "x.y", "a", "*.*"];
const SUBJECTS = ["a", "a.b", "a.b.c", "a.*", "a.b.c.d", "x.y", "q", "a.x.c", "*.b.z"];

Deno.test("the subject index finds what matching every pattern finds, in the order added", () => {
  const index = new SubjectIndex<string>();
  PATTERNS.forEach((p, i) => index.add(p, `${i}:${p}`));
  for (const subject of SUBJECTS) {
    const expected = PATTERNS.flatMap((p, i) => subjectMatches(p, subject) ? [`${i}:${p}`] : []);
    assert.deepEqual(index.match(subject), expected, subject);
  }
});

Deno.test("a removed subscription is no longer found, and the others still are", () => {
  const index = new SubjectIndex<string>();
  PATTERNS.forEach((p, i) => index.add(p, `${i}:${p}`));
  assert.ok(index.remove("2:a.>"));
  assert.ok(!index.remove("2:a.>"));
  assert.deepEqual(index.match("a.b.c"), ["3:>", "5:a.*.c", "6:*.b.>", "7:a.b.c"]);
});
