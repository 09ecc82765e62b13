/**
 * NATS subject matching: `*` matches one token, `>` one or more at the end.
 * A published subject's tokens are literal, so a publish to `a.*` reaches a
 * subscriber of `a.*` or `a.>`, never one of `a.b`.
 *
 * @module
 */

/** Tells whether `subject` matches the subscription `pattern`. */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== "*" && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
