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

function drawTree(tree) {
  const node = (n) => {
    const a = n.actor;
    const item = el(
      "li",
      { "data-actor": a.id, class: matches(a) ? "" : "dim" },
      el("span", { class: `st-${a.status}` }, "● "),
      `${label(a)} ${a.type} on ${a.hostId} · ${a.status}` +
        (a.restarts > 0 ? ` · ${a.restarts} restarts` : ""),
    );
    if (n.children.length > 0) item.append(el("ul", {}, ...n.children.map(node)));
    return item;
  };
  $("tree").replaceChildren(...tree.map(node));
}

function drawActors(actors, summaries) {
  const shown = actors.filter(matches);
  // Hosts list their first actors only; the summaries count them all.
  const total = (summaries ?? []).reduce((sum, s) => sum + s.count, 0);
  const listed = total > actors.length ? ` listed of ${total}; ctl actors pages through all` : "";
  $("matches").textContent = query() === ""
    ? `(${actors.length}${listed})`
    : `(${shown.length} of ${actors.length}${listed} match)`;
  $("actors").tBodies[0].replaceChildren(
    ...shown.slice(0, 500).map((a) =>
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
      )
    ),
  );
}

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
$("search").addEventListener("input", () => last && draw(last));
