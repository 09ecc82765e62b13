// The live dashboard: one EventSource, one frame per interval, drawn with the DOM and a canvas.
"use strict";

const COLORS = ["#1971c2", "#e8590c", "#2f9e44", "#9c36b5", "#c92a2a", "#0c8599", "#5c940d"];
const seenDeaths = new Set();
const seenLetters = new Set();
let last = null;
let first = true;

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child ?? "");
  return node;
};
const time = (ms) => new Date(ms).toISOString().slice(11, 19);
const query = () => $("search").value.trim().toLowerCase();
const matches = (a) => {
  const q = query();
  return q === "" || a.id.toLowerCase().includes(q) || (a.name ?? "").toLowerCase().includes(q) ||
    a.type.toLowerCase().includes(q);
};
const label = (a) => (a.name ? `${a.name} (${a.id})` : a.id);

function drawHosts(hosts) {
  const body = $("hosts").tBodies[0];
  body.replaceChildren(...hosts.map((h) =>
    el(
      "tr",
      { "data-host": h.hostId },
      el("td", {}, h.hostId),
      el("td", { class: `state-${h.state}` }, h.state + (h.problem ? ` (${h.problem})` : "")),
      el("td", {}, h.loopLagMs === undefined ? "" : String(Math.round(h.loopLagMs))),
      el(
        "td",
        {},
        h.messagesPerSecond === undefined ? "" : String(Math.round(h.messagesPerSecond)),
      ),
      el("td", {}, String(h.actorCount ?? "")),
      el("td", {}, String(h.queuedMessages ?? "")),
      el("td", {}, h.uptimeMs === undefined ? "" : `${Math.round(h.uptimeMs / 1000)} s`),
    )
  ));
}

// What each section drew last: a frame that changes nothing there rebuilds nothing.
const drawn = {};
const changed = (section, value) => {
  const key = JSON.stringify(value);
  if (drawn[section] === key) return false;
  drawn[section] = key;
  return true;
};
// A page with very many actors stays responsive: the tree and the live sample are capped,
// every actor is counted by type, and the actors of one type load a page at a time.
const MAX_TREE_NODES = 300;
const MAX_SAMPLE_ROWS = 100;
const PAGE_LIMIT = 100;

function drawTree(tree) {
  if (!changed("tree", [tree, query()])) return;
  let budget = MAX_TREE_NODES;
  let cut = 0;
  const count = (n) => 1 + n.children.reduce((sum, c) => sum + count(c), 0);
  const node = (n) => {
    const a = n.actor;
    budget--;
    const item = el(
      "li",
      { "data-actor": a.id, class: matches(a) ? "" : "dim" },
      el("span", { class: `st-${a.status}` }, "● "),
      `${label(a)} ${a.type} on ${a.hostId} · ${a.status}` +
        (a.restarts > 0 ? ` · ${a.restarts} restarts` : ""),
    );
    const children = [];
    for (const child of n.children) {
      if (budget > 0) children.push(node(child));
      else cut += count(child);
    }
    if (children.length > 0) item.append(el("ul", {}, ...children));
    return item;
  };
  const roots = [];
  for (const root of tree) {
    if (budget > 0) roots.push(node(root));
    else cut += count(root);
  }
  if (cut > 0) roots.push(el("li", { class: "dim" }, `… ${cut} more (see Actors by type)`));
  $("tree").replaceChildren(...roots);
}

const actorRow = (a) =>
  el(
    "tr",
    { "data-actor": a.id },
    el("td", {}, label(a)),
    el("td", {}, a.type),
    el("td", {}, a.hostId),
    el("td", { class: `st-${a.status}` }, a.status),
    el("td", {}, String(a.mailboxDepth)),
    el("td", {}, String(a.handled)),
    el("td", {}, String(a.restarts)),
    el(
      "td",
      { class: "why" },
      a.lastFailure?.error ? `${a.lastFailure.error.name}: ${a.lastFailure.error.message}` : "",
    ),
  );

function drawActors(actors, summaries) {
  if (paged !== null) return;
  const shown = actors.filter(matches);
  if (!changed("actors", [shown.slice(0, MAX_SAMPLE_ROWS), actors.length, summaries, query()])) {
    return;
  }
  // Hosts list their first actors only; the summaries count them all.
  const total = (summaries ?? []).reduce((sum, s) => sum + s.count, 0);
  const listed = total > actors.length ? ` listed of ${total}; open a type above for all` : "";
  const capped = shown.length > MAX_SAMPLE_ROWS ? `, first ${MAX_SAMPLE_ROWS} shown` : "";
  $("matches").textContent = query() === ""
    ? `(${actors.length}${listed}${capped})`
    : `(${shown.length} of ${actors.length}${listed} match${capped})`;
  $("actors").tBodies[0].replaceChildren(...shown.slice(0, MAX_SAMPLE_ROWS).map(actorRow));
}

function drawTypes(summaries) {
  const list = summaries ?? [];
  const q = query();
  const shown = list.filter((s) =>
    q === "" || s.type.toLowerCase().includes(q) || s.hostId.toLowerCase().includes(q)
  );
  if (!changed("types", [shown, list.length])) return;
  const total = list.reduce((sum, s) => sum + s.count, 0);
  $("typecount").textContent = `(${total} actors, ${list.length} host and type pairs)`;
  $("types").tBodies[0].replaceChildren(...shown.map((s) => {
    const open = el("button", { type: "button", class: "open" }, "show");
    open.addEventListener("click", () => openType(s.hostId, s.type, s.count));
    return el(
      "tr",
      { "data-host": s.hostId, "data-type": s.type },
      el("td", {}, s.hostId),
      el("td", {}, s.type),
      el("td", {}, String(s.count)),
      el(
        "td",
        {},
        Object.entries(s.statuses).map(([status, n]) => `${n} ${status}`).join(", "),
      ),
      el("td", {}, String(s.mailboxDepth)),
      el("td", {}, open),
    );
  }));
}

// The actors of one host and type, loaded from /actors a page at a time (null: the live sample).
let paged = null;

function openType(hostId, type, count) {
  paged = { hostId, type, count, cursors: [""], index: 0, page: null, error: null };
  void loadPage();
}

async function loadPage() {
  const at = paged;
  if (at === null) return;
  const params = new URLSearchParams({
    host: at.hostId,
    type: at.type,
    limit: String(PAGE_LIMIT),
    cursor: at.cursors[at.index],
  });
  $("pager").hidden = false;
  $("pageinfo").textContent = `${at.type} on ${at.hostId}: loading page ${at.index + 1}…`;
  $("pager").dataset.loading = "true";
  try {
    const response = await fetch(`/actors?${params}`);
    const body = await response.json();
    if (paged !== at) return;
    at.page = response.ok ? body : null;
    at.error = response.ok ? null : body.error;
  } catch (err) {
    if (paged !== at) return;
    at.page = null;
    at.error = String(err);
  }
  delete $("pager").dataset.loading;
  drawPage();
}

function drawPage() {
  const at = paged;
  if (at === null) return;
  const pages = Math.max(1, Math.ceil(at.count / PAGE_LIMIT));
  $("pageinfo").textContent = at.error !== null
    ? `${at.type} on ${at.hostId}: ${at.error}`
    : `${at.type} on ${at.hostId}: page ${at.index + 1} of about ${pages} (${at.count} actors)`;
  $("prev").disabled = at.index === 0;
  $("next").disabled = at.page === null || at.page.next === null;
  const actors = at.page?.actors ?? [];
  const shown = actors.filter(matches);
  $("matches").textContent = query() === ""
    ? `(${actors.length} on this page)`
    : `(${shown.length} of ${actors.length} on this page match)`;
  $("actors").tBodies[0].replaceChildren(...shown.map(actorRow));
  $("actors").dataset.page = String(at.index + 1);
}

$("next").addEventListener("click", () => {
  if (paged?.page?.next == null) return;
  paged.cursors.push(paged.page.next);
  paged.index++;
  void loadPage();
});
$("prev").addEventListener("click", () => {
  if (paged === null || paged.index === 0) return;
  paged.cursors.pop();
  paged.index--;
  void loadPage();
});
$("live").addEventListener("click", () => {
  paged = null;
  $("pager").hidden = true;
  delete $("actors").dataset.page;
  delete drawn.actors;
  if (last) draw(last);
});

function drawEvents(list, items, seen, key, render) {
  // Newest first; the ones that arrived since the last frame are marked.
  const fresh = [];
  for (const item of items) {
    const k = key(item);
    if (!seen.has(k)) {
      seen.add(k);
      if (!first) fresh.push(k);
    }
  }
  list.replaceChildren(
    ...[...items].sort((a, b) => b.timestampMs - a.timestampMs).map((item) => {
      const li = render(item);
      if (fresh.includes(key(item))) li.classList.add("new");
      return li;
    }),
  );
}

function drawChart(rates) {
  const canvas = $("chart");
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = 30;
  ctx.clearRect(0, 0, w, h);
  const series = Object.entries(rates);
  const now = Math.max(0, ...series.flatMap(([, s]) => s.map(([t]) => t)));
  // The last five minutes, or less while there is less history.
  const oldest = Math.min(now, ...series.flatMap(([, s]) => s.map(([t]) => t)));
  const from = Math.max(now - 5 * 60_000, oldest);
  const top = Math.max(1, ...series.flatMap(([, s]) => s.map(([, v]) => v)));
  ctx.strokeStyle = "#dee2e6";
  ctx.fillStyle = "#868e96";
  ctx.font = "11px system-ui";
  for (let i = 0; i <= 4; i++) {
    const y = h - pad - (h - 2 * pad) * i / 4;
    ctx.beginPath();
    ctx.moveTo(pad, y);
    ctx.lineTo(w - 5, y);
    ctx.stroke();
    ctx.fillText(String(Math.round(top * i / 4)), 2, y + 4);
  }
  ctx.fillText(`-${Math.round((now - from) / 1000)} s`, pad, h - 8);
  ctx.fillText("now", w - 30, h - 8);
  $("legend").replaceChildren();
  series.forEach(([host, points], i) => {
    const color = COLORS[i % COLORS.length];
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    points.forEach(([t, v], j) => {
      const x = pad + (w - pad - 5) * (t - from) / (now - from || 1);
      const y = h - pad - (h - 2 * pad) * v / top;
      if (j === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
    $("legend").append(el("span", { style: `color:${color}` }, `■ ${host}`));
  });
}

function draw(frame) {
  drawHosts(frame.hosts);
  drawChart(frame.rates);
  drawTree(frame.tree);
  drawTypes(frame.summaries);
  drawActors(frame.actors, frame.summaries);
  drawEvents($("deaths"), frame.deaths, seenDeaths, (d) => d.key, (d) =>
    el(
      "li",
      { "data-actor": d.actorId },
      `${time(d.timestampMs)} ${d.actorName ?? d.actorId} (${d.type}) on ${d.hostId}: `,
      el("span", { class: "why" }, d.why),
      ` → ${d.outcome}`,
    ));
  drawEvents(
    $("deadletters"),
    frame.deadLetters,
    seenLetters,
    (l) => `${l.hostId} ${l.timestampMs} ${l.targetId} ${l.messageName} ${l.reason}`,
    (l) =>
      el(
        "li",
        { "data-actor": l.targetId },
        `${time(l.timestampMs)} ${l.kind} '${l.messageName}' to ${l.targetId} (${l.targetType})` +
          (l.count > 1 ? ` ×${l.count}` : "") + ": ",
        el("span", { class: "why" }, l.why),
      ),
  );
  first = false;
}

const events = new EventSource("/events");
events.onopen = () => {
  $("status").textContent = "live";
  $("status").className = "status live";
};
events.onerror = () => {
  $("status").textContent = "reconnecting…";
  $("status").className = "status lost";
};
events.onmessage = (message) => {
  last = JSON.parse(message.data);
  draw(last);
  document.body.dataset.frames = String(Number(document.body.dataset.frames ?? 0) + 1);
};
$("search").addEventListener("input", () => {
  if (last) draw(last);
  drawPage();
});
