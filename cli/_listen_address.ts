/**
 * Whether an address a local web page listens on reaches this machine only:
 * `ctl dashboard` serves inspections (actor states, stacks, dead-letter
 * previews) without a login of its own, so anything else must be asked for.
 *
 * @module
 */

/**
 * Whether `hostname` is a loopback address: `localhost`, an IPv4 address in
 * `127.0.0.0/8`, or IPv6 `::1` (brackets allowed).
 *
 * @param hostname The address as given to `--listen`.
 * @returns `true` when only this machine can connect to it.
 */
export function isLoopback(hostname: string): boolean {
  const host = hostname.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (host === "localhost" || host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  const parts = host.split(".");
  return parts.length === 4 && parts[0] === "127" &&
    parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}
