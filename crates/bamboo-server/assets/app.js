// bamboo dashboard: plain JavaScript, no build step, no third-party code. Everything it
// shows comes from this server's JSON API and its server-rendered SVG charts, or is drawn
// here from that JSON. Every view's state lives in the URL's fragment (a permalink).
"use strict";

const $ = (sel) => document.querySelector(sel);
const SVGNS = "http://www.w3.org/2000/svg";

/** Builds an element; children may be strings, nodes, or arrays of them. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** An SVG element. */
function sv(tag, attrs, ...children) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    e.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** Text with `code` spans shown as code (the API's and the engine's messages use them). */
function rich(text) {
  const parts = String(text).split(/`([^`]+)`/);
  return parts.map((p, i) => (i % 2 ? el("code", {}, p) : p));
}

/** A request to the API. Resolves to {status, headers, data}; rejects with the API's own
 * error message (every error answer is JSON {"error": ...}, with "errors" for a case
 * file's every problem). An aborted request rejects with `aborted` set. */
async function api(path, opts = {}) {
  let resp;
  // A 503 with Retry-After (the ideal points still being fitted, a queue of simulations)
  // is tried again after the time it names, a bounded number of times.
  for (let attempt = 0; ; attempt++) {
    try {
      resp = await fetch(path, opts);
    } catch (e) {
      if (e && e.name === "AbortError") throw Object.assign(new Error("aborted"), { aborted: true });
      throw Object.assign(new Error("The server cannot be reached. Is `bamboo serve` still running?"), { status: 0 });
    }
    const wait = Number(resp.headers.get("retry-after"));
    if (resp.status !== 503 || !wait || attempt >= 30 || (opts.method && opts.method !== "GET")) break;
    await new Promise((r) => setTimeout(r, Math.min(wait, 10) * 1000));
    if (opts.signal && opts.signal.aborted) throw Object.assign(new Error("aborted"), { aborted: true });
  }
  const type = resp.headers.get("content-type") || "";
  let body;
  try {
    body = type.includes("json") ? await resp.json() : await resp.text();
  } catch (e) {
    if (e && e.name === "AbortError") throw Object.assign(new Error("aborted"), { aborted: true });
    throw e;
  }
  if (!resp.ok) {
    const msg = body && body.error ? body.error : `${resp.status} ${resp.statusText}`;
    throw Object.assign(new Error(msg), { status: resp.status, field: body && body.field, errors: (body && body.errors) || [] });
  }
  return { status: resp.status, headers: resp.headers, data: body };
}

/** One request at a time per view: starting a new one aborts the one before, so a stale
 * answer can never replace a newer one. */
const inflight = new Map();
function fresh(key) {
  const old = inflight.get(key);
  if (old) old.abort();
  const c = new AbortController();
  inflight.set(key, c);
  return c.signal;
}

/** A message box; the API's messages start in lower case, as the CLI's do. */
function notice(kind, title, text) {
  const msg = String(text);
  return el("div", { class: `notice ${kind}`, role: kind === "error" ? "alert" : null },
    el("strong", { text: title }), rich(msg.charAt(0).toUpperCase() + msg.slice(1)));
}

/** Replaces a figure's content with the SVG chart at `url`, parsed (never as script).
 * Resolves true when this request's chart was shown, false when a newer one replaced it. */
async function showSvg(figure, url, key) {
  const signal = fresh(key || figure.id);
  figure.setAttribute("aria-busy", "true");
  figure.dataset.src = url;
  try {
    const { data } = await api(url, { signal });
    const doc = new DOMParser().parseFromString(data, "image/svg+xml");
    if (doc.querySelector("parsererror")) throw new Error("the chart could not be read");
    const svg = document.importNode(doc.documentElement, true);
    svg.setAttribute("role", "img");
    const t = svg.querySelector("title");
    if (t && !svg.getAttribute("aria-label")) svg.setAttribute("aria-label", t.textContent);
    figure.replaceChildren(svg);
    figure.setAttribute("aria-busy", "false");
    return true;
  } catch (e) {
    if (e.aborted) return false;
    figure.replaceChildren(notice("error", "No chart", e.message));
    figure.setAttribute("aria-busy", "false");
    return true;
  }
}

/** A download link for text made here (CSV); a data: URL, so no local path is involved. */
function downloadLink(label, name, type, text) {
  return el("a", { href: `data:${type};charset=utf-8,${encodeURIComponent(text)}`, download: name }, label);
}
const csvCell = (v) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
const csv = (rows) => rows.map((r) => r.map(csvCell).join(",")).join("\n") + "\n";

/** Draws an SVG element as PNG at `width` pixels and offers it as a download. */
function svgToPng(svg, width, name) {
  const vb = svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width ? svg.viewBox.baseVal : null;
  const w0 = vb ? vb.width : svg.getBoundingClientRect().width;
  const h0 = vb ? vb.height : svg.getBoundingClientRect().height;
  const clone = svg.cloneNode(true);
  clone.setAttribute("xmlns", SVGNS);
  clone.setAttribute("width", w0);
  clone.setAttribute("height", h0);
  const src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(clone))}`;
  const img = new Image();
  img.onload = () => {
    const scale = width / w0;
    const c = document.createElement("canvas");
    c.width = Math.round(w0 * scale);
    c.height = Math.round(h0 * scale);
    const g = c.getContext("2d");
    g.fillStyle = "#fff";
    g.fillRect(0, 0, c.width, c.height);
    g.drawImage(img, 0, 0, c.width, c.height);
    const a = el("a", { href: c.toDataURL("image/png"), download: name });
    document.body.append(a);
    a.click();
    a.remove();
  };
  img.src = src;
}

/** "PNG at [width] px" for the chart in `figure`. */
function pngControl(figure, name) {
  const id = `png-${figure.id}`;
  const size = el("select", { id, "aria-label": "PNG width in pixels" },
    ["800", "1200", "1600", "2400"].map((w) => el("option", { value: w }, `${w} px`)));
  const b = el("button", { type: "button", class: "small-btn" }, "PNG");
  b.addEventListener("click", () => {
    const svg = figure.querySelector("svg");
    if (svg) svgToPng(svg, Number(size.value), name);
  });
  return el("span", { class: "png" }, b, " at ", size);
}

const fmt = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? "–" : Number(x).toFixed(d));
const state = {
  countries: [], names: new Map(), byIso: new Map(), doctrines: [], cases: [], worlds: [], world: null,
  years: [1946, 2021], features: {}, groups: [], caseDirty: false, lastHeat: "", lastMap: "",
  poles: ["USA", "CHN", "RUS"], simLimits: null,
};
const nameOf = (c) => state.names.get(c) || c;

// --- The URL: every view's state --------------------------------------------------------

/** The fields kept in the fragment, each tied to a control. */
const HASH_FIELDS = [
  ["country", "#country"], ["from", "#from"], ["to", "#to"], ["by", "#by"], ["metric", "#metric"],
  ["issue", "#issue"], ["year", "#year"], ["region", "#region"], ["map_year", "#map-year"],
  ["measure", "#map-measure"], ["case_file", "#case-file"], ["case", "#case-pick"],
  ["doctrine", "#doctrine"], ["runs", "#sim-runs"], ["years", "#sim-years"], ["seed", "#sim-seed"],
  ["table_year", "#table-year"], ["sort", "#table-sort"], ["compare", "#compare"],
];

function readHash() {
  return new URLSearchParams(location.hash.replace(/^#/, ""));
}

let hashLock = false;
function writeHash() {
  if (hashLock) return;
  const q = new URLSearchParams();
  for (const [k, sel] of HASH_FIELDS) {
    const e = $(sel);
    if (e && e.value !== "" && e.value !== undefined) q.set(k, e.value);
  }
  const ds = [...document.querySelectorAll("#sim-doctrines input:checked")].map((i) => i.value);
  if (ds.length) q.set("doctrines", ds.join(","));
  evidenceHash(q);
  history.replaceState(null, "", `#${q}`);
}

/** Sets a control from the fragment; a value the control does not offer is reported. */
function setFromHash(h, k, sel, problems) {
  const v = h.get(k);
  if (v === null) return;
  const e = $(sel);
  if (!e) return;
  if (e.tagName === "SELECT" && ![...e.options].some((o) => o.value === v)) {
    problems.push(`${k}=${v} is not one of the choices`);
    return;
  }
  e.value = v;
}

// --- Start-up -------------------------------------------------------------------------

async function loadHealth() {
  const s = $("#status");
  try {
    const { data } = await api("/api/health");
    state.years = data.data.years;
    state.features = data.features;
    s.className = "status ok";
    s.textContent = `${data.data.roll_calls.toLocaleString("en")} UN roll calls, ${data.data.years[0]}–${data.data.years[1]} · ${data.ledger.events} ledger events`;
  } catch (e) {
    s.className = "status bad";
    s.textContent = e.message;
  }
}

async function loadCountries() {
  const { data } = await api("/api/countries");
  state.countries = data.countries;
  for (const c of data.countries) { state.names.set(c.iso3, c.short_name); state.byIso.set(c.iso3, c); }
  const voted = data.countries.filter((c) => c.voted);
  const byRegion = new Map();
  for (const c of voted) {
    const r = c.region || "Other";
    if (!byRegion.has(r)) byRegion.set(r, []);
    byRegion.get(r).push(c);
  }
  const pick = $("#country");
  const groups = [...byRegion.keys()].sort().map((r) =>
    el("optgroup", { label: r }, byRegion.get(r)
      .sort((a, b) => a.short_name.localeCompare(b.short_name))
      .map((c) => el("option", { value: c.iso3 }, `${c.short_name} (${c.iso3})${c.historical ? ", former state" : ""}`))));
  pick.replaceChildren(...groups);
  $("#country-list").replaceChildren(...voted.map((c) => el("option", { value: `${c.short_name} (${c.iso3})` })));
  const region = $("#region");
  region.replaceChildren(
    ...data.regions.map((r) => el("option", { value: r }, r)),
    el("option", { value: "all" }, "All regions (large)"));
  region.value = "Asia";
  const actor = $("#ledger-actor");
  actor.replaceChildren(el("option", { value: "" }, "any"),
    ...[...data.countries].sort((a, b) => a.short_name.localeCompare(b.short_name))
      .map((c) => el("option", { value: c.iso3 }, `${c.short_name} (${c.iso3})`)));
}

async function loadGroups() {
  try {
    const { data } = await api("/api/groups");
    state.groups = data.groups;
    $("#group-list").replaceChildren(...data.groups.map((g) => el("option", { value: g.code })));
  } catch (e) {
    state.groups = [];
  }
}

/** A name, a code, or "Name (CODE)" to an ISO3 code the data knows; null if none. */
function toIso(text) {
  const t = String(text || "").trim();
  if (!t) return null;
  const m = t.match(/\(([A-Za-z]{3})\)\s*$/);
  const code = (m ? m[1] : t).toUpperCase();
  if (state.byIso.has(code)) return code;
  const low = t.toLowerCase();
  const hit = state.countries.find((c) => c.short_name.toLowerCase() === low || (c.name || "").toLowerCase() === low);
  return hit ? hit.iso3 : null;
}

/** Edit distance (Levenshtein), for "did you mean". */
function lev(a, b) {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** Codes whose names or codes contain `text`, or are a few letters from it, as
 * "VNM (Vietnam)", closest first, for "did you mean". */
function suggest(text, n = 3) {
  const low = String(text).trim().toLowerCase();
  if (!low) return [];
  const score = (c) => {
    const names = [c.short_name, c.name || ""].map((x) => x.toLowerCase());
    if (c.iso3.toLowerCase() === low || names.some((x) => x.startsWith(low))) return 0;
    if (names.some((x) => x.includes(low))) return 1;
    return 1 + Math.min(...names.map((x) => lev(low, x)), lev(low, c.iso3.toLowerCase()));
  };
  return state.countries.map((c) => [score(c), c]).filter(([k]) => k <= 3)
    .sort((a, b) => a[0] - b[0]).slice(0, n).map(([, c]) => `${c.iso3} (${c.short_name})`);
}

// --- Alignment ------------------------------------------------------------------------

/** The poles for a subject: the great powers other than itself. */
const polesFor = (iso3) => state.poles.filter((p) => p !== iso3);

/** The years a state voted in, within the data. */
function votedSpan(iso3) {
  const c = state.byIso.get(iso3);
  const [lo, hi] = state.years;
  if (!c || !c.voted) return [lo, hi];
  return [Math.max(lo, c.voted[0]), Math.min(hi, c.voted[1])];
}

/** When the country changes, the span follows it: a span that was the previous state's
 * whole record becomes the new one's; a span the reader chose is kept where the new state
 * voted, and replaced by its whole record where it did not. */
function followSpan(prev, next) {
  const [a, b] = votedSpan(next);
  const from = parseInt($("#from").value, 10);
  const to = parseInt($("#to").value, 10);
  const [pa, pb] = prev ? votedSpan(prev) : [NaN, NaN];
  const whole = Number.isNaN(from) || Number.isNaN(to) || (from === pa && to === pb);
  if (whole || to < a || from > b) {
    $("#from").value = a;
    $("#to").value = b;
  } else {
    $("#from").value = Math.max(from, a);
    $("#to").value = Math.min(to, b);
  }
}

function alignQuery(iso3) {
  const from = parseInt($("#from").value, 10);
  const to = parseInt($("#to").value, 10);
  const q = new URLSearchParams();
  if (!Number.isNaN(from)) q.set("from", String(from));
  if (!Number.isNaN(to)) q.set("to", String(to));
  q.set("by", $("#by").value);
  q.set("metric", $("#metric").value);
  const poles = polesFor(iso3);
  if (poles.length !== state.poles.length) q.set("poles", poles.join(","));
  if ($("#issue").value && $("#metric").value !== "ideal") q.set("issue", $("#issue").value);
  return q;
}

/** The UN-wide median of a year, from the atlas (cached per year and metric). */
const medianCache = new Map();
async function unMedian(year, metric, poles) {
  const key = `${year}|${metric}|${poles}`;
  if (!medianCache.has(key)) {
    const q = new URLSearchParams({ year: String(year), metric, ci: "90", replicates: "20" });
    if (poles !== state.poles.join(",")) q.set("poles", poles);
    medianCache.set(key, api(`/api/atlas?${q}`).then((r) => r.data.median).catch(() => null));
  }
  return medianCache.get(key);
}

let lastRows = null;
async function updateAlignment() {
  const iso3 = $("#country").value;
  if (!iso3) return;
  const signal = fresh("balance-json");
  writeHash();
  const q = alignQuery(iso3);
  const chartUrl = `/api/chart/balance/${iso3}.svg?${q}`;
  const jsonUrl = `/api/balance/${iso3}?${bandQuery(q)}`;
  const reading = $("#reading");
  const chart = showSvg($("#balance-chart"), chartUrl);
  try {
    const { data } = await api(jsonUrl, { signal });
    lastRows = data;
    const rows = data.rows.filter((r) => r.lean !== null);
    const last = rows[rows.length - 1];
    const by = $("#by").value;
    const note = by.startsWith("window") ? ` Each point is a trailing ${by.split(":")[1]}-year window, drawn at its last year.` : "";
    $("#span-note").textContent = polesFor(iso3).length < state.poles.length
      ? `${nameOf(iso3)} is itself a pole: shown against the other two.${note}`
      : note.trim();
    const header = ["subject", "from", "to", ...data.rows[0]?.alignments.map((a) => `${a.pole}_${data.metric || "agreement"}`) || [], ...(data.rows[0]?.alignments.map((a) => `${a.pole}_n`) || []), "lean", "balance", "toward"];
    const csvText = csv([header, ...data.rows.map((r) => [iso3, r.from, r.to, ...r.alignments.map((a) => a.alignment), ...r.alignments.map((a) => a.n), r.lean, r.balance, r.toward])]);
    $("#align-links").replaceChildren(
      el("a", { href: chartUrl, download: `${iso3}-balance.svg` }, "Chart (SVG)"),
      pngControl($("#balance-chart"), `${iso3}-balance.png`),
      downloadLink("Numbers (CSV)", `${iso3}-balance.csv`, "text/csv", csvText),
      el("a", { href: jsonUrl }, "JSON"),
      el("a", { href: `/api/shifts/${iso3}?pole=${polesFor(iso3)[0]}` }, "When it shifted (JSON)"));
    if (!last) {
      reading.replaceChildren(el("span", { class: "muted" }, `No year in ${$("#from").value}–${$("#to").value} where ${nameOf(iso3)}'s alignment with every pole is defined (it voted ${votedSpan(iso3).join("–")}).`));
    } else {
      const span = last.from === last.to ? `${last.to}` : `${last.from}–${last.to}`;
      const lean = rows.reduce((a, r) => a + r.lean, 0) / rows.length;
      const med = await unMedian(last.to, $("#metric").value, polesFor(iso3).join(","));
      if (signal.aborted) return;
      const medOf = (pole) => {
        const m = med && med.alignments.find((x) => x.pole === pole);
        return m ? el("small", { class: "median" }, `UN median ${fmt(m.value)}`) : null;
      };
      reading.replaceChildren(
        el("span", { class: "pill" }, `${data.name}, ${span}:`),
        ...last.alignments.map((a) => el("span", { class: "pill", title: `${a.n} roll calls both voted on` },
          `with ${nameOf(a.pole)}`, el("strong", {}, fmt(a.alignment)), medOf(a.pole))),
        el("span", { class: "pill lean", title: "UN-vote lean: max − min alignment over the poles; 0 = equidistant" },
          "UN-vote lean", el("strong", {}, fmt(last.lean)), `toward ${nameOf(last.toward)}`,
          med && med.lean ? el("small", { class: "median" }, `UN median ${fmt(med.lean.value)}${last.from === last.to ? "" : ` (${last.to})`}`) : null),
        el("span", { class: "pill", title: "the mean UN-vote lean over every year shown" },
          `mean lean ${rows[0].from}–${last.to}`, el("strong", {}, fmt(lean))));
    }
  } catch (e) {
    if (e.aborted) return;
    reading.replaceChildren(notice("error", "Cannot read the balance", e.message));
  }
  await chart;
  if (!signal.aborted) {
    await decorateChart();
    await followEvidence();
  }
  await updateCompare();
}

/** Compare: several states, or a group, against the poles as small multiples of lean. */
async function updateCompare() {
  const raw = $("#compare").value.trim();
  const out = $("#compare-out");
  writeHash();
  if (!raw) { out.replaceChildren(); return; }
  const signal = fresh("compare");
  const items = raw.split(/[,;]+/).map((s) => s.trim()).filter(Boolean);
  let states = [];
  const unknown = [];
  for (const it of items) {
    const g = state.groups.find((x) => x.code.toLowerCase() === it.toLowerCase());
    if (g) { states.push(...new Set(g.members.map((m) => m.state))); continue; }
    const iso = toIso(it);
    if (iso) states.push(iso); else unknown.push(it);
  }
  states = [...new Set(states)].slice(0, 12);
  if (unknown.length) {
    out.replaceChildren(notice("error", "Unknown state or group", unknown.map((u) => {
      const s = suggest(u);
      return `\`${u}\`${s.length ? `: did you mean ${s.join(", ")}?` : " matches no name or code"}`;
    }).join("; ") + `. Groups: ${state.groups.map((g) => g.code).join(", ")}.`));
    return;
  }
  const from = $("#from").value;
  const to = $("#to").value;
  out.replaceChildren(el("p", { class: "muted" }, "Loading…"));
  try {
    const answers = await Promise.all(states.map((s) => {
      const q = alignQuery(s);
      q.set("from", from); q.set("to", to);
      return api(`/api/balance/${s}?${q}`, { signal }).then((r) => r.data).catch((e) => { if (e.aborted) throw e; return { iso3: s, error: e.message }; });
    }));
    const yMax = Math.max(0.2, ...answers.flatMap((a) => (a.rows || []).map((r) => r.lean || 0)));
    const x0 = Number(from);
    const x1 = Number(to);
    const cards = answers.map((a, i) => {
      const s = states[i];
      const pts = (a.rows || []).filter((r) => r.lean !== null).map((r) => [r.to, r.lean]);
      return el("figure", { class: "mini" }, miniLine(`${nameOf(s)} (${s})`, pts, x0, x1, Math.min(1, Math.ceil(yMax * 10) / 10)),
        el("figcaption", {}, a.error ? a.error : `${nameOf(s)}: last lean ${fmt(pts.length ? pts[pts.length - 1][1] : null)}`));
    });
    const rows = answers.flatMap((a, i) => (a.rows || []).map((r) => [states[i], r.from, r.to, r.lean, r.toward]));
    out.replaceChildren(el("p", { class: "muted small" }, `UN-vote lean, ${from}–${to}, same scale in every panel.`),
      el("div", { class: "minis" }, cards),
      el("p", { class: "links" }, downloadLink("These numbers (CSV)", "compare-lean.csv", "text/csv", csv([["state", "from", "to", "lean", "toward"], ...rows]))));
  } catch (e) {
    if (!e.aborted) out.replaceChildren(notice("error", "Cannot compare", e.message));
  }
}

/** A small line chart of [x, y] points; y from 0 to yMax. */
function miniLine(title, pts, x0, x1, yMax) {
  const W = 260, H = 120, L = 30, R = 8, T = 18, B = 20;
  const sx = (x) => L + ((x - x0) / Math.max(1, x1 - x0)) * (W - L - R);
  const sy = (y) => T + (1 - y / yMax) * (H - T - B);
  let d = "";
  let prev = null;
  for (const [x, y] of pts) {
    d += `${prev !== null && x === prev + 1 ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
    prev = x;
  }
  return sv("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `${title}: lean ${x0}–${x1}` },
    sv("title", {}, `${title}: lean ${x0}–${x1}`),
    sv("text", { x: L, y: 12, "font-size": 11, fill: "#1d2521" }, title),
    [0, yMax / 2, yMax].map((y) => [sv("line", { x1: L, x2: W - R, y1: sy(y), y2: sy(y), stroke: "#dde2da" }),
      sv("text", { x: L - 4, y: sy(y) + 3, "font-size": 9, "text-anchor": "end", fill: "#5b6660" }, y.toFixed(1))]),
    sv("text", { x: L, y: H - 5, "font-size": 9, fill: "#5b6660" }, x0),
    sv("text", { x: W - R, y: H - 5, "font-size": 9, "text-anchor": "end", fill: "#5b6660" }, x1),
    sv("path", { d, fill: "none", stroke: "#2f6b3a", "stroke-width": 1.6 }));
}

// --- Evidence: the roll calls behind a point; the intervals as bands -------------------

/** The balance JSON's query: the chart's, with the atlas's 90% bootstrap intervals when
 * the band toggle is on (ideal points take none here: the fit's own are in /api/ideal). */
function bandQuery(q) {
  const b = new URLSearchParams(q);
  const ideal = $("#metric").value === "ideal";
  $("#ci").disabled = ideal;
  if ($("#ci").checked && !ideal) b.set("ci", "90");
  return b;
}

function restoreBand(h) {
  $("#ci").checked = h.get("ci") === "90";
}

/** Where the server's chart draws a row: a trailing window at its last year, a year at
 * itself, the whole span at its middle. */
const rowX = (r, windowed) => (windowed ? r.to : (r.from + r.to) / 2);
const spanLabel = (from, to) => (from === to ? `${from}` : `${from}–${to}`);
const METRIC_WORD = { agreement: "agreement", s: "S", kappa: "κ", pi: "π", coincidence: "coincidence", ideal: "ideal-point alignment" };

/** The chart's scales, from the plot-area element the server's charts carry. */
function chartScales(svg) {
  const a = svg.querySelector(".plot-area");
  if (!a) return null;
  const pair = (k) => (a.getAttribute(k) || "").split(" ").map(Number);
  const [xd0, xd1] = pair("data-x-domain");
  const [xr0, xr1] = pair("data-x-range");
  const [yd0, yd1] = pair("data-y-domain");
  const [yr0, yr1] = pair("data-y-range");
  if ([xd0, xd1, xr0, xr1, yd0, yd1, yr0, yr1].some((v) => !Number.isFinite(v)) || xd0 === xd1 || yd0 === yd1) return null;
  return {
    x: (v) => xr0 + ((v - xd0) / (xd1 - xd0)) * (xr1 - xr0),
    y: (v) => yr0 + ((v - yd0) / (yd1 - yd0)) * (yr1 - yr0),
    left: Math.min(xr0, xr1), right: Math.max(xr0, xr1), top: Math.min(yr0, yr1), bottom: Math.max(yr0, yr1),
  };
}

/** One shaded run of an interval: [x, lo, hi] points in order. */
function bandShape(run, sc, colour) {
  const common = { fill: colour, "fill-opacity": "0.18", stroke: "none", class: "band" };
  if (run.length === 1) {
    const [x, lo, hi] = run[0];
    return sv("rect", { ...common, x: (sc.x(x) - 3).toFixed(2), y: sc.y(hi).toFixed(2), width: 6, height: Math.max(0.5, sc.y(lo) - sc.y(hi)).toFixed(2) });
  }
  const top = run.map(([x, , hi]) => `${sc.x(x).toFixed(2)},${sc.y(hi).toFixed(2)}`);
  const bottom = run.slice().reverse().map(([x, lo]) => `${sc.x(x).toFixed(2)},${sc.y(lo).toFixed(2)}`);
  return sv("path", { ...common, d: `M${top.join("L")}L${bottom.join("L")}Z` });
}

let evidenceOpen = null; // {from, to} of the point whose roll calls are listed
let evidenceRows = [];

/** Draws the interval bands (when asked) under the lines of the balance chart, and lays a
 * row of targets over it, one per point: click one, or reach it with Tab and the arrow
 * keys and press Enter, to list its roll calls. */
async function decorateChart() {
  const fig = $("#balance-chart");
  const svg = fig.querySelector("svg");
  const data = lastRows;
  const note = $("#band-note");
  if (!svg || !data || !data.rows || !data.rows.length) return;
  const sc = chartScales(svg);
  if (!sc) return;
  const windowed = Boolean(data.by && data.by.window);
  // Bands: the interval of each pole's alignment, in the pole's colour, behind its line.
  svg.querySelectorAll(".ci-band").forEach((e) => e.remove());
  const series = [...svg.querySelectorAll("g.series")];
  const banded = data.rows.some((r) => r.alignments.some((a) => a.lo !== undefined));
  if (banded && series.length) {
    const g = sv("g", { class: "ci-band", "clip-path": series[0].getAttribute("clip-path") });
    data.rows[0].alignments.forEach((_, k) => {
      const colour = series[k]?.querySelector("path, circle")?.getAttribute(series[k]?.querySelector("path") ? "stroke" : "fill") || "#7f7f7f";
      let run = [];
      const flush = () => { if (run.length) g.append(bandShape(run, sc, colour)); run = []; };
      for (const r of data.rows) {
        const a = r.alignments[k];
        if (a && a.lo !== null && a.hi !== null && a.lo !== undefined) run.push([rowX(r, windowed), a.lo, a.hi]);
        else flush();
      }
      flush();
    });
    series[0].before(g);
    const boot = data.bootstrap;
    note.textContent = `Shaded: each pole's ${boot ? boot.level : 90}% bootstrap interval${boot ? ` (${boot.replicates.toLocaleString("en")} replicates, seed ${boot.seed}; the roll calls of each point resampled)` : ""}.`;
    note.hidden = false;
  } else {
    note.hidden = true;
  }
  // Targets: one column per point, from half-way to the point before to half-way to the next.
  const pts = data.rows.filter((r) => r.alignments.some((a) => a.alignment !== null));
  let stack = fig.querySelector(".chart-stack");
  if (!stack || stack.firstElementChild !== svg) {
    stack = el("div", { class: "chart-stack" });
    fig.replaceChildren(stack);
    stack.append(svg);
  }
  stack.querySelectorAll(".chart-hits").forEach((e) => e.remove());
  if (!pts.length) return;
  const xs = pts.map((r) => sc.x(rowX(r, windowed)));
  const hits = sv("svg", { class: "chart-hits", viewBox: svg.getAttribute("viewBox"), role: "group", "aria-label": `The chart's ${pts.length} points: pick one to list the roll calls behind it` });
  const current = evidenceOpen ? pts.findIndex((r) => r.from === evidenceOpen.from && r.to === evidenceOpen.to) : -1;
  pts.forEach((r, i) => {
    const x0 = i ? (xs[i - 1] + xs[i]) / 2 : Math.max(sc.left, xs[i] - 12);
    const x1 = i + 1 < xs.length ? (xs[i] + xs[i + 1]) / 2 : Math.min(sc.right, xs[i] + 12);
    const vals = r.alignments.map((a) => `${nameOf(a.pole)} ${fmt(a.alignment)}`).join(", ");
    const label = `${spanLabel(r.from, r.to)}: ${vals}. List the ${r.roll_calls} roll calls behind it`;
    hits.append(sv("rect", {
      class: `hit${i === current ? " selected" : ""}`, x: x0.toFixed(2), y: sc.top.toFixed(2), width: Math.max(1, x1 - x0).toFixed(2), height: (sc.bottom - sc.top).toFixed(2),
      role: "button", tabindex: i === (current >= 0 ? current : pts.length - 1) ? 0 : -1, "aria-label": label, "data-from": r.from, "data-to": r.to,
    }, sv("title", {}, label)));
  });
  stack.append(hits);
}

function hitFor(from, to) {
  return document.querySelector(`#balance-chart .hit[data-from="${from}"][data-to="${to}"]`);
}

function markSelectedHit() {
  document.querySelectorAll("#balance-chart .hit").forEach((h) => {
    const on = Boolean(evidenceOpen) && Number(h.dataset.from) === evidenceOpen.from && Number(h.dataset.to) === evidenceOpen.to;
    h.classList.toggle("selected", on);
    if (on) {
      document.querySelectorAll("#balance-chart .hit").forEach((o) => o.setAttribute("tabindex", "-1"));
      h.setAttribute("tabindex", "0");
    }
  });
}

function onHitKey(ev) {
  const h = ev.target.closest(".hit");
  if (!h) return;
  const all = [...document.querySelectorAll("#balance-chart .hit")];
  const i = all.indexOf(h);
  const to = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: all.length - 1 }[ev.key];
  if (ev.key === "Enter" || ev.key === " ") {
    ev.preventDefault();
    openEvidence(Number(h.dataset.from), Number(h.dataset.to));
  } else if (to !== undefined && all[to]) {
    ev.preventDefault();
    all.forEach((o) => o.setAttribute("tabindex", "-1"));
    all[to].setAttribute("tabindex", "0");
    all[to].focus();
  }
}

function onHitClick(ev) {
  const h = ev.target.closest(".hit");
  if (h) openEvidence(Number(h.dataset.from), Number(h.dataset.to));
}

/** The query of the roll calls behind a point: the chart's state, poles and filter. */
function evidenceQuery(from, to) {
  const iso3 = $("#country").value;
  const q = new URLSearchParams({ country: iso3, other: polesFor(iso3).join(","), from: String(from), to: String(to), limit: "100" });
  if ($("#issue").value && $("#metric").value !== "ideal") q.set("issue", $("#issue").value);
  return q;
}

/** Lists the roll calls behind the point from-to in the panel under the chart. */
async function openEvidence(from, to, opts = {}) {
  const panel = $("#evidence");
  const signal = fresh("evidence");
  const row = lastRows && lastRows.rows.find((r) => r.from === from && r.to === to);
  evidenceOpen = { from, to };
  writeHash();
  markSelectedHit();
  panel.hidden = false;
  panel.setAttribute("aria-busy", "true");
  panel.replaceChildren(evidenceHead(from, to), el("p", { class: "muted" }, "Reading the roll calls…"));
  const q = evidenceQuery(from, to);
  try {
    const { data } = await api(`/api/rollcalls?${q}`, { signal });
    evidenceRows = data.rows;
    renderEvidence(data, row, q);
    if (opts.focus !== false) panel.focus();
  } catch (e) {
    if (e.aborted) return;
    panel.replaceChildren(evidenceHead(from, to), notice("error", "Cannot list the roll calls", e.message));
  }
  panel.setAttribute("aria-busy", "false");
}

function closeEvidence(opts = {}) {
  const was = evidenceOpen;
  fresh("evidence");
  evidenceOpen = null;
  evidenceRows = [];
  const panel = $("#evidence");
  panel.hidden = true;
  panel.replaceChildren();
  writeHash();
  markSelectedHit();
  if (was && opts.focus !== false) {
    const h = hitFor(was.from, was.to);
    if (h) h.focus();
  }
}

function evidenceHead(from, to) {
  const iso3 = $("#country").value;
  const close = el("button", { type: "button", class: "small-btn close", "aria-label": "Close the list of roll calls (Escape)" }, "Close ✕");
  close.addEventListener("click", () => closeEvidence());
  return el("div", { class: "evidence-head" },
    el("h3", { id: "evidence-h" }, `The roll calls behind ${spanLabel(from, to)}: ${nameOf(iso3)} with ${polesFor(iso3).map(nameOf).join(", ")}`),
    close);
}

const VOTE_MARK = { alike: "=", half: "½", opposite: "≠" };

function voteCell(v, accord) {
  if (!v) return el("td", { class: "vote absent" }, "did not vote");
  return el("td", { class: `vote ${accord || ""}`, title: accord ? `${accord} (score ${accord === "alike" ? 1 : accord === "half" ? 0.5 : 0})` : null },
    v, accord ? el("span", { class: "accord" }, ` ${VOTE_MARK[accord]} ${accord}`) : null);
}

function evidenceRow(r, iso3) {
  return el("tr", {},
    el("td", { class: "nowrap" }, r.date),
    el("td", { class: "nowrap" }, r.resolution || `rcid ${r.rcid}`, r.session ? el("small", { class: "muted" }, ` session ${r.session}`) : null),
    el("td", { class: "rc-title" }, r.title || "–", ...(r.issues || []).map((i) => el("span", { class: "tag", title: ISSUE_WORD[i] || i }, i)),
      r.important ? el("span", { class: "tag important" }, "important") : null),
    voteCell(r.vote, null),
    r.with.map((w) => voteCell(w.vote, w.accord)));
}
const ISSUE_WORD = { me: "Palestinian conflict", nu: "nuclear weapons", di: "arms control and disarmament", hr: "human rights", co: "colonialism", ec: "economic development" };

function renderEvidence(data, row, q) {
  const panel = $("#evidence");
  const iso3 = data.country;
  const metric = $("#metric").value;
  const span = spanLabel(data.from, data.to);
  const totals = el("table", { class: "evidence-totals" },
    el("caption", { class: "muted small" }, `Totals over all ${data.listed} roll calls listed: agreement = (alike + half ÷ 2) ÷ both voted, the point on the chart.`),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, "with"), el("th", { scope: "col", class: "num" }, "both voted"),
      el("th", { scope: "col", class: "num" }, "alike"), el("th", { scope: "col", class: "num" }, "half"), el("th", { scope: "col", class: "num" }, "opposite"),
      el("th", { scope: "col", class: "num" }, "agreement"),
      metric !== "agreement" ? el("th", { scope: "col", class: "num" }, `${METRIC_WORD[metric] || metric} from these`) : null,
      el("th", { scope: "col", class: "num" }, `chart (${METRIC_WORD[metric] || metric})`))),
    el("tbody", {}, data.totals.map((t, k) => {
      const own = metric === "agreement" ? t.agreement : metric === "ideal" ? null : t.measures[metric];
      const chart = row && row.alignments[k] ? row.alignments[k].alignment : null;
      const same = own !== null && chart !== null && Math.abs(own - chart) < 1e-9;
      return el("tr", { "data-country": t.country },
        el("th", { scope: "row" }, `${nameOf(t.country)} (${t.country})`),
        el("td", { class: "num" }, String(t.n)), el("td", { class: "num" }, String(t.alike)),
        el("td", { class: "num" }, String(t.half)), el("td", { class: "num" }, String(t.opposite)),
        el("td", { class: "num", "data-value": t.agreement ?? "" }, `${fmt(t.score_sum, 1)} ÷ ${t.n} = ${fmt(t.agreement, 3)}`),
        metric !== "agreement" ? el("td", { class: "num", "data-value": own ?? "" }, fmt(own, 3)) : null,
        el("td", { class: "num", "data-value": chart ?? "" }, fmt(chart, 3), same ? el("span", { class: "ok-mark" }, " ✓") : null));
    })));
  const list = el("tbody", {}, data.rows.map((r) => evidenceRow(r, iso3)));
  const table = el("table", { class: "evidence-list" },
    el("caption", { class: "muted small" }, `Roll calls of ${span} that ${nameOf(iso3)} and at least one pole voted on, by date; = alike, ½ half (one abstained), ≠ opposite.`),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "date"), el("th", { scope: "col" }, "resolution"), el("th", { scope: "col" }, "title and issues"),
      el("th", { scope: "col" }, iso3), data.others.map((o) => el("th", { scope: "col" }, o.iso3)))),
    list);
  const shown = el("p", { class: "muted small evidence-count", "aria-live": "polite" });
  const count = () => { shown.textContent = `Showing ${evidenceRows.length} of ${data.listed}.`; };
  count();
  const csvLink = () => downloadLink("These roll calls (CSV)", `${iso3}-rollcalls-${span}.csv`, "text/csv", csv([
    ["rcid", "date", "session", "resolution", "title", "issues", iso3, ...data.others.flatMap((o) => [o.iso3, `${o.iso3}_score`])],
    ...evidenceRows.map((r) => [r.rcid, r.date, r.session, r.resolution, r.title, (r.issues || []).join(" "), r.vote, ...r.with.flatMap((w) => [w.vote, w.score])])]));
  const links = el("p", { class: "links" }, csvLink(), el("a", { href: `/api/rollcalls?${q}` }, "JSON"));
  const more = el("button", { type: "button", class: "small-btn" }, "Show more");
  let next = data.next;
  more.hidden = !next;
  more.addEventListener("click", async () => {
    const signal = fresh("evidence");
    const mq = new URLSearchParams(q);
    mq.set("cursor", next);
    more.disabled = true;
    try {
      const { data: page } = await api(`/api/rollcalls?${mq}`, { signal });
      evidenceRows.push(...page.rows);
      list.append(...page.rows.map((r) => evidenceRow(r, iso3)));
      next = page.next;
      more.hidden = !next;
      count();
      links.firstChild.replaceWith(csvLink());
    } catch (e) {
      if (!e.aborted) shown.textContent = e.message;
    }
    more.disabled = false;
  });
  panel.replaceChildren(evidenceHead(data.from, data.to),
    el("p", { class: "muted small" }, `${data.roll_calls} roll calls in ${span}${data.filter ? ` on ${data.filter.issues.join(", ")}` : ""}; ${data.listed} with a vote of ${nameOf(iso3)} and a pole.`,
      metric === "ideal" ? " The chart's ideal-point alignment reads a fit of every session's votes; the totals here are the vote agreement of the same roll calls." : ""),
    el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Totals" }, totals),
    el("div", { class: "table-wrap evidence-scroll", tabindex: "0", role: "region", "aria-label": `Roll calls of ${span}` }, table),
    el("div", { class: "buttons" }, shown, more),
    links);
}

/** The permalink's share of the evidence: the band toggle and the point listed. */
function evidenceHash(q) {
  if ($("#ci") && $("#ci").checked) q.set("ci", "90");
  if (evidenceOpen) q.set("point", evidenceOpen.from === evidenceOpen.to ? `${evidenceOpen.from}` : `${evidenceOpen.from}-${evidenceOpen.to}`);
}

/** After the chart is drawn, keeps the list in step: the same point again, or closed when
 * the chart has no such point any more. */
async function followEvidence() {
  if (!evidenceOpen) return;
  const { from, to } = evidenceOpen;
  if (lastRows && lastRows.rows.some((r) => r.from === from && r.to === to)) await openEvidence(from, to, { focus: false });
  else closeEvidence({ focus: false });
}

async function restoreEvidence(h) {
  const p = h.get("point");
  if (!p) return;
  const m = p.match(/^(\d{4})(?:-(\d{4}))?$/);
  const from = m ? Number(m[1]) : NaN;
  const to = m ? Number(m[2] || m[1]) : NaN;
  if (m && lastRows && lastRows.rows.some((r) => r.from === from && r.to === to)) {
    await openEvidence(from, to, { focus: false });
    return;
  }
  $("#hash-msg").append(notice("error", "Part of the link could not be shown",
    `point=${p} is not a point of the chart (a year such as 2019, or a window's span such as 2015-2019 with 5-year smoothing)`));
}

function wireEvidence() {
  const fig = $("#balance-chart");
  fig.addEventListener("click", onHitClick);
  fig.addEventListener("keydown", onHitKey);
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && evidenceOpen) { ev.preventDefault(); closeEvidence(); }
  });
}

// --- Heatmap --------------------------------------------------------------------------

async function updateHeatmap() {
  const year = $("#year").value;
  const region = $("#region").value;
  const q = new URLSearchParams({ year });
  if (region && region !== "all") q.set("region", region);
  const url = `/api/chart/heatmap.svg?${q}`;
  if (url === state.lastHeat) return; // one request per change
  state.lastHeat = url;
  writeHash();
  $("#heat-links").replaceChildren(el("a", { href: url, download: `heatmap-${region || "all"}-${year}.svg` }, "Heatmap (SVG)"),
    pngControl($("#heat-chart"), `heatmap-${region || "all"}-${year}.png`),
    el("a", { href: `/api/dyads?${q}` }, "Every pair's numbers (JSON)"));
  await showSvg($("#heat-chart"), url);
}

// --- World map ------------------------------------------------------------------------

function mapQuery() {
  return new URLSearchParams({ year: $("#map-year").value, measure: $("#map-measure").value });
}

/** Outlines the state picked in the alignment panel on the map. */
function markOnMap() {
  const iso3 = $("#country").value;
  document.querySelectorAll("#map-chart [data-id]").forEach((e) => e.classList.toggle("selected", e.dataset.id === iso3));
}

async function updateMap() {
  $("#map-year-out").textContent = $("#map-year").value;
  const q = mapQuery();
  const url = `/api/chart/map.svg?${q}`;
  if (url === state.lastMap) return;
  state.lastMap = url;
  writeHash();
  $("#map-links").replaceChildren(
    el("a", { href: url, download: `map-${q.get("measure").replace(":", "-")}-${q.get("year")}.svg` }, "Map (SVG)"),
    pngControl($("#map-chart"), `map-${q.get("measure").replace(":", "-")}-${q.get("year")}.png`),
    el("a", { href: `/api/atlas?year=${q.get("year")}` }, "Every state's numbers (JSON)"));
  if (await showSvg($("#map-chart"), url)) markOnMap();
}

/** A click on a state selects it in the alignment panel. */
function pickOnMap(ev) {
  const target = ev.target.closest("[data-id]");
  if (!target) return;
  selectCountry(target.dataset.id, "map");
}

function selectCountry(iso3, from) {
  const option = [...$("#country").options].find((o) => o.value === iso3);
  const msg = from === "map" ? $("#map-pick") : $("#table-pick");
  if (!option) {
    msg.textContent = `${nameOf(iso3)} (${iso3}) has cast no vote in the data.`;
    return;
  }
  const prev = $("#country").value;
  $("#country").value = iso3;
  followSpan(prev, iso3);
  msg.textContent = `Selected ${nameOf(iso3)} (${iso3}): its alignment is shown above.`;
  markOnMap();
  updateAlignment();
}

// --- Every state in a year: a sortable table from the atlas ----------------------------

let atlasRows = [];
async function updateTable() {
  const year = $("#table-year").value;
  const signal = fresh("atlas");
  writeHash();
  $("#table-out").replaceChildren(el("p", { class: "muted" }, `Reading every state in ${year}…`));
  try {
    const { data } = await api(`/api/atlas?year=${encodeURIComponent(year)}`, { signal });
    atlasRows = data.rows;
    state.atlasMedian = data.median;
    renderTable();
  } catch (e) {
    if (!e.aborted) $("#table-out").replaceChildren(notice("error", "Cannot read the atlas", e.message));
  }
}

function renderTable() {
  const key = $("#table-sort").value;
  const filter = $("#table-search").value.trim().toLowerCase();
  const val = (r) => {
    if (key === "name") return r.name;
    if (key === "lean") return r.lean.value ?? Infinity;
    if (key === "toward") return r.toward || "";
    const a = r.alignments.find((x) => x.pole === key);
    return a && a.value !== null ? -a.value : Infinity;
  };
  const rows = atlasRows.filter((r) => !filter || r.name.toLowerCase().includes(filter) || r.state.toLowerCase().includes(filter))
    .sort((a, b) => { const x = val(a), y = val(b); return typeof x === "string" ? x.localeCompare(y) : x - y; });
  const poles = atlasRows[0] ? atlasRows[0].alignments.map((a) => a.pole) : [];
  const med = state.atlasMedian;
  const band = (v) => (v && v.value !== null ? el("span", {}, fmt(v.value), el("small", { class: "ci" }, ` ${fmt(v.lo)}–${fmt(v.hi)}`)) : "–");
  const year = $("#table-year").value;
  const table = el("table", { class: "atlas" },
    el("caption", { class: "muted small" }, `${rows.length} states in ${year}; values with their 90% bootstrap interval. UN median lean ${med ? fmt(med.lean.value) : "–"}.`),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "state"), poles.map((p) => el("th", { scope: "col", class: "num" }, `with ${p}`)),
      el("th", { scope: "col", class: "num" }, "lean"), el("th", { scope: "col" }, "toward"), el("th", { scope: "col" }, "select"))),
    el("tbody", {}, rows.map((r) => el("tr", {},
      el("td", {}, `${r.name} `, el("span", { class: "toward" }, r.state)),
      r.alignments.map((a) => el("td", { class: "num" }, band(a))),
      el("td", { class: "num" }, band(r.lean)),
      el("td", {}, r.tie && r.tie.length > 1 ? `tie ${r.tie.join("/")}` : r.toward || "–"),
      el("td", {}, el("button", { type: "button", class: "small-btn", "data-pick": r.state, "aria-label": `Show ${r.name} above` }, "show"))))));
  const csvText = csv([["state", "name", ...poles.flatMap((p) => [p, `${p}_lo`, `${p}_hi`]), "lean", "lean_lo", "lean_hi", "toward"],
    ...rows.map((r) => [r.state, r.name, ...r.alignments.flatMap((a) => [a.value, a.lo, a.hi]), r.lean.value, r.lean.lo, r.lean.hi, r.toward])]);
  $("#table-out").replaceChildren(el("div", { class: "table-wrap", tabindex: "0" }, table),
    el("p", { class: "links" }, downloadLink("This table (CSV)", `atlas-${year}.csv`, "text/csv", csvText)));
}

// --- Advise ---------------------------------------------------------------------------

/** Splits a case file into its [[case]] blocks, with the fields the picker shows. */
function splitCases(text) {
  const lines = text.split("\n");
  const starts = [];
  lines.forEach((l, i) => { if (l.trim() === "[[case]]") starts.push(i); });
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1] : lines.length;
    // Comments and blank lines just before the next case belong to it.
    while (end > s + 1 && /^\s*(#.*)?$/.test(lines[end - 1])) end--;
    const block = lines.slice(s, end).join("\n");
    const field = (name) => {
      const m = block.match(new RegExp(`^${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`, "m"));
      return m ? m[1].replace(/\\"/g, '"') : "";
    };
    return { block, id: field("id"), date: field("date"), title: field("title"), subject: field("subject"), actual: field("actual") };
  });
}

function fillCasePicker() {
  const file = state.cases.find((c) => c.name === $("#case-file").value);
  if (!file) return;
  const cases = splitCases(file.toml);
  file.parsed = cases;
  const pick = $("#case-pick");
  pick.replaceChildren(
    ...cases.map((c, i) => el("option", { value: String(i) }, `${c.date} · ${c.title}`)),
    el("option", { value: "all" }, `All ${cases.length} cases in this file`),
    el("option", { value: "edited", disabled: true }, "your own text (edited)"));
  pick.value = cases.length ? "0" : "all";
}

function sampleText() {
  const file = state.cases.find((c) => c.name === $("#case-file").value);
  if (!file) return null;
  const v = $("#case-pick").value;
  if (v === "all") return file.toml;
  const c = file.parsed[Number(v)];
  return c ? `${c.block}\n` : null;
}

function fillCaseText() {
  const t = sampleText();
  if (t === null) return;
  $("#case-text").value = t;
  state.caseDirty = false;
  $("#case-guard").replaceChildren();
  markErrors([]);
  writeHash();
}

/** A menu change would replace text the reader edited: ask first, in the page. */
function guardedFill(refill) {
  if (!state.caseDirty) { if (refill) fillCasePicker(); fillCaseText(); return; }
  const keep = el("button", { type: "button" }, "Keep my text");
  const replace = el("button", { type: "button", class: "primary" }, "Replace it with the sample");
  const box = el("div", { class: "notice info", role: "alert" },
    el("strong", {}, "Your edited case file would be replaced"),
    "The menus load a sample case into the editor. ", el("span", { class: "buttons" }, replace, keep));
  $("#case-guard").replaceChildren(box);
  replace.addEventListener("click", () => { state.caseDirty = false; if (refill) fillCasePicker(); fillCaseText(); });
  keep.addEventListener("click", () => { $("#case-pick").value = "edited"; $("#case-guard").replaceChildren(); });
  replace.focus();
}

/** Shows every located error of a case file, each a link that selects its line. */
function markErrors(errors) {
  const ta = $("#case-text");
  const gutter = $("#case-errors");
  ta.classList.toggle("invalid", errors.length > 0);
  ta.setAttribute("aria-invalid", errors.length ? "true" : "false");
  gutter.replaceChildren(...errors.map((e) => {
    const b = el("button", { type: "button", class: "linklike" }, e.line ? `line ${e.line}` : "file");
    b.addEventListener("click", () => selectLine(e.line));
    return el("li", {}, b, ": ", rich(e.message.replace(/^request body(:\d+)?: /, "")));
  }));
  if (errors.length && errors[0].line) selectLine(errors[0].line, false);
}

function selectLine(line, focus = true) {
  const ta = $("#case-text");
  const lines = ta.value.split("\n");
  if (!line || line > lines.length) return;
  const start = lines.slice(0, line - 1).reduce((a, l) => a + l.length + 1, 0);
  if (focus) ta.focus();
  ta.setSelectionRange(start, start + lines[line - 1].length);
  const lh = parseFloat(getComputedStyle(ta).lineHeight) || 16;
  ta.scrollTop = Math.max(0, (line - 3) * lh);
}

function violationsCell(list, roots) {
  if (!list.length) return el("span", { class: "ok-mark" }, "✓ allowed");
  return list.map((id) => el("span", { class: "tag", title: roots.get(id) || "" }, id));
}

/** The score's terms, from the explanation ("accept 2.2752 = value +1.2800, relations ..."). */
function scoreTerms(explanation, option) {
  const m = explanation.match(new RegExp(`${option.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} (-?[0-9.]+) = ([^;.]*(?:\\.[0-9]+[^;.]*)*)`));
  if (!m) return [];
  return [...m[2].matchAll(/([a-z_ ]+) ([+-][0-9.]+)/g)].map((t) => [t[1].trim(), Number(t[2])]);
}

function termBars(terms) {
  if (!terms.length) return null;
  const max = Math.max(0.5, ...terms.map(([, v]) => Math.abs(v)));
  return el("ul", { class: "terms", "aria-label": "score terms" }, terms.map(([k, v]) => el("li", {},
    el("span", { class: "term-name" }, k),
    el("span", { class: "bar-track", "aria-hidden": "true" },
      el("span", { class: `bar ${v < 0 ? "neg" : "pos"}`, style: null, "data-w": String(Math.round((Math.abs(v) / max) * 50)) })),
    el("span", { class: "num" }, `${v >= 0 ? "+" : ""}${v.toFixed(2)}`))));
}

/** Sets bar widths from data-w (the CSP forbids inline style attributes in markup, not
 * properties set from script). */
function sizeBars(root) {
  root.querySelectorAll(".bar[data-w]").forEach((b) => {
    const w = Number(b.dataset.w);
    b.style.width = `${w}%`;
    if (b.classList.contains("neg")) b.style.marginLeft = `${50 - w}%`; else b.style.marginLeft = "50%";
  });
}

function renderAdvice(answers, caseInfo, doctrine, plans) {
  const roots = new Map((doctrine ? doctrine.roots : []).map((r) => [r.id, r.principle]));
  return answers.map((a, idx) => {
    const info = caseInfo.get(a.id) || {};
    const actual = info.actual
      ? el("span", { class: `actual ${info.actual === a.choice ? "hit" : "miss"}` },
        info.actual === a.choice ? `✓ what ${nameOf(info.subject)} really did` : `✗ in reality: ${info.actual}`)
      : null;
    const options = el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "option"), el("th", { scope: "col" }, "roots"), el("th", { scope: "col" }, "score terms"), el("th", { scope: "col", class: "num" }, "score"))),
      el("tbody", {}, a.options.map((o) => el("tr", { class: o.option === a.choice ? "chosen" : null },
        el("td", {}, o.option), el("td", {}, violationsCell(o.violations, roots)),
        el("td", {}, termBars(scoreTerms(a.explanation, o.option))), el("td", { class: "num" }, fmt(o.score, 3))))));
    // The first sentence says what and why; the rest is the arithmetic behind it.
    const cut = a.explanation.indexOf(". ");
    const lead = cut > 0 ? a.explanation.slice(0, cut + 1) : a.explanation;
    const rest = cut > 0 ? a.explanation.slice(cut + 2) : "";
    const broken = [...new Set(a.options.flatMap((o) => o.violations))];
    const plan = a.plan.length
      ? el("ul", { class: "plan" }, a.plan.map((p) => el("li", {},
        el("span", { class: `pillar ${p.pillar}` }, p.pillar), el("span", { class: "toward", title: nameOf(p.toward) }, `→ ${p.toward}`), el("span", {}, rich(p.action)))))
      : el("p", { class: "muted" }, "No pole to reassure: no plan needed.");
    const miss = info.actual && info.actual !== a.choice
      ? el("p", { class: "notice info miss-why" }, el("strong", {}, "Why the doctrine missed"),
        rich(`The engine chose \`${a.choice}\` because it scored highest among the options its roots allow (the terms above); ${nameOf(info.subject)} did \`${info.actual}\`. A miss means the doctrine's weights or its evidence (the ledger and the votes before the date) do not capture what decided this case: see the score terms, and docs/backtesting.md on how misses are read.`))
      : null;
    return el("article", { class: "answer" },
      el("header", {},
        el("span", { class: "choice", "data-choice": a.choice }, a.choice),
        el("h3", {}, info.title || a.id),
        el("span", { class: "case-id" }, info.date ? `${info.date} · ${a.id}` : a.id),
        actual),
      el("p", { class: "explanation explanation-lead" }, rich(lead)),
      rest ? el("p", { class: "explanation-more" }, rich(rest)) : null,
      miss,
      el("div", { class: "cols" },
        el("div", {}, el("h4", { class: "sub" }, "Options"), el("div", { class: "table-wrap", tabindex: "0" }, options),
          broken.length ? el("ul", { class: "roots-key", "aria-label": "roots that rule options out" },
            broken.map((id) => el("li", {}, el("span", { class: "tag" }, id), roots.get(id) || ""))) : null,
          el("p", { class: "muted" }, "Engine lean (the doctrine's composite of UN votes, partnership tier, trade, arms and visits; not the UN-vote lean above): ",
            `${fmt(a.lean.before, 3)} before → ${fmt(a.lean.after, 3)} after`)),
        el("div", {}, el("h4", { class: "sub" }, "Pillar plan (party · state · people)"), plan)),
      plans && plans[idx] ? planTimeline(plans[idx].plan, a.id) : null);
  });
}

const PILLARS = ["party", "state", "people"];

/** The plan as a timeline: the first agenda's moves by month and pillar, and the lean
 * month by month with and without it (issue 14). */
function planTimeline(p, id) {
  const wrap = el("section", { class: "plan-timeline", "aria-label": `Plan timeline for ${id}` });
  wrap.append(el("h4", { class: "sub" }, `Plan timeline: ${p.horizon_months} months`));
  if (p.why_not) wrap.append(notice("info", "No agenda meets every constraint", `${p.why_not}; the closest is shown.`));
  const ag = p.agendas[0];
  if (!ag) {
    wrap.append(el("p", { class: "muted" }, p.displeased.length ? "No agenda found." : "No offset needed: no pole is displeased and the lean stays within the bound."));
    return wrap;
  }
  const H = p.horizon_months;
  // Drawn at the width it will be shown at, so its text keeps its size on a phone.
  const W = Math.round(Math.max(300, Math.min(760, ($("#advise-out").clientWidth || 640) - 40)));
  const L = 58, R = 14, rowH = 26, top = 22, laneH = rowH * 3, gap = 26, chartH = 110;
  const totalH = top + laneH + gap + chartH + 26;
  const sx = (m) => L + (m / H) * (W - L - R);
  const lanes = (k) => top + k * rowH + rowH / 2;
  const lean = ag.lean.length ? ag.lean : [];
  const without = p.lean_without;
  const all = [...lean, ...without, p.bound ?? 0].filter((x) => x !== null);
  let lo = Math.min(...all), hi = Math.max(...all);
  if (hi - lo < 0.05) { lo -= 0.03; hi += 0.03; }
  lo = Math.max(0, Math.floor(lo * 20) / 20); hi = Math.min(1, Math.ceil(hi * 20) / 20);
  const y0 = top + laneH + gap;
  const sy = (v) => y0 + (1 - (v - lo) / (hi - lo || 1)) * chartH;
  const path = (arr) => arr.map((v, m) => `${m ? "L" : "M"}${sx(m).toFixed(1)},${sy(v).toFixed(1)}`).join("");
  const title = `Plan after ${id}: ${ag.steps.length} moves over ${H} months, cost ${ag.cost}; lean with the plan ends at ${fmt(lean[lean.length - 1], 3)}, without it ${fmt(without[without.length - 1], 3)}`;
  const ticks = [];
  for (let m = 0; m <= H; m += H > 24 ? 6 : H > 12 ? 3 : 1) ticks.push(m);
  const svg = sv("svg", { viewBox: `0 0 ${W} ${totalH}`, role: "img", "aria-label": title, class: "timeline-svg" },
    sv("title", {}, title),
    PILLARS.map((pl, k) => [sv("text", { x: 4, y: lanes(k) + 4, "font-size": 11, fill: "#33403a" }, pl),
      sv("line", { x1: L, x2: W - R, y1: lanes(k), y2: lanes(k), stroke: "#dde2da" })]),
    ticks.map((m) => [sv("line", { x1: sx(m), x2: sx(m), y1: top, y2: y0 + chartH, stroke: "#eef1ec" }),
      sv("text", { x: sx(m), y: y0 + chartH + 14, "font-size": 10, "text-anchor": "middle", fill: "#5b6660" }, `m${m}`)]),
    ag.steps.map((s) => {
      const ks = s.pillars.map((pl) => PILLARS.indexOf(pl)).filter((k) => k >= 0).sort();
      const x = sx(s.month);
      return sv("g", { class: "step" },
        ks.length > 1 ? sv("line", { x1: x, x2: x, y1: lanes(ks[0]), y2: lanes(ks[ks.length - 1]), stroke: "#2f6b3a", "stroke-width": 2 }) : null,
        ks.map((k) => sv("circle", { cx: x, cy: lanes(k), r: 6, fill: "#2f6b3a" })),
        sv("text", { x: x + 8, y: lanes(ks[0] ?? 0) - 8, "font-size": 10, fill: "#1d2521" }, `${s.move} → ${s.toward}`),
        sv("title", {}, `month ${s.month} (${s.date}): ${s.what}; ${s.why}`));
    }),
    [lo, (lo + hi) / 2, hi].map((v) => sv("text", { x: L - 6, y: sy(v) + 3, "font-size": 10, "text-anchor": "end", fill: "#5b6660" }, v.toFixed(2))),
    sv("text", { x: 4, y: y0 - 8, "font-size": 11, fill: "#33403a" }, "engine lean"),
    p.bound !== null && p.bound !== undefined ? sv("line", { x1: L, x2: W - R, y1: sy(p.bound), y2: sy(p.bound), stroke: "#a3261d", "stroke-dasharray": "2 3" }) : null,
    without.length ? sv("path", { d: path(without), fill: "none", stroke: "#5b6660", "stroke-width": 1.6, "stroke-dasharray": "5 4" }) : null,
    lean.length ? sv("path", { d: path(lean), fill: "none", stroke: "#2f6b3a", "stroke-width": 2.2 }) : null);
  const legend = el("p", { class: "legend small" },
    el("span", { class: "key with" }, "with the plan"), el("span", { class: "key without" }, "without it"),
    p.bound !== null && p.bound !== undefined ? el("span", { class: "key bound" }, `bound ${fmt(p.bound, 3)}`) : null);
  const steps = el("ol", { class: "plan-steps" }, ag.steps.map((s) => el("li", {},
    el("span", { class: "when" }, `month ${s.month} · ${s.date}`), " ",
    s.pillars.map((pl) => el("span", { class: `pillar ${pl}` }, pl)), " ",
    el("span", {}, s.what), el("br"), el("small", { class: "muted" }, `why: ${s.why}. Roots respected: ${s.roots_respected.join(", ")}.`))));
  const alts = p.agendas.slice(1).map((x) => `agenda ${x.rank}: cost ${x.cost}, ${x.steps.map((s) => `${s.move}→${s.toward} m${s.month}`).join(", ")}`);
  const rows = [["agenda", "month", "date", "move", "toward", "pillars", "cost"], ...p.agendas.flatMap((x) => x.steps.map((s) => [x.rank, s.month, s.date, s.move, s.toward, s.pillars.join("+"), s.cost]))];
  const leanRows = [["month", "lean_without", ...p.agendas.map((x) => `lean_agenda_${x.rank}`)], ...without.map((v, m) => [m, v, ...p.agendas.map((x) => x.lean[m])])];
  wrap.append(...[el("figure", { class: "chart timeline-fig" }, svg), legend, steps,
    alts.length ? el("p", { class: "muted small" }, `Alternatives: ${alts.join("; ")}.`) : null,
    p.ruled_out.length ? el("p", { class: "muted small" }, `Ruled out by the roots: ${p.ruled_out.map((r) => `${r.move} toward ${r.toward} (${r.roots.join(", ")})`).join("; ")}.`) : null,
    el("p", { class: "links" }, downloadLink("Agenda (CSV)", `${id}-plan.csv`, "text/csv", csv(rows)), downloadLink("Lean paths (CSV)", `${id}-lean.csv`, "text/csv", csv(leanRows)))].filter(Boolean));
  return wrap;
}

function caseQuery() {
  const q = new URLSearchParams();
  const d = $("#doctrine").value;
  if (d) q.set("doctrine", d);
  if ($("#ledger-source").value === "db") q.set("ledger", "db");
  const s = q.toString();
  return s ? `?${s}` : "";
}

async function runCases(kind) {
  const out = $("#advise-out");
  const text = $("#case-text").value;
  const buttons = [$("#advise-btn"), $("#backtest-btn")];
  const signal = fresh("advise");
  buttons.forEach((b) => { b.disabled = true; });
  out.replaceChildren(el("p", { class: "muted" }, kind === "advise" ? "Asking the doctrine…" : "Scoring…"));
  markErrors([]);
  try {
    const post = (route) => api(`/api/${route}${caseQuery()}`, {
      method: "POST", headers: { "Content-Type": "application/toml" }, body: text, signal,
    });
    const { data, headers } = await post(kind);
    const used = headers.get("bamboo-doctrine");
    const doctrine = state.doctrines.find((d) => d.name === used);
    const byline = el("p", { class: "muted" }, `Answered by the doctrine “${doctrine ? doctrine.title : used}”.`);
    const info = new Map(splitCases(text).map((c) => [c.id, c]));
    if (kind === "advise") {
      let plans = null;
      if (doctrine && doctrine.plans) {
        try { plans = (await post("plan")).data; } catch (e) { if (e.aborted) throw e; plans = null; }
      }
      out.replaceChildren(byline, ...renderAdvice(data, info, doctrine, plans));
      sizeBars(out);
    } else {
      const baselines = Object.entries(data.baselines).map(([k, v]) => el("span", { class: "pill" }, k, el("strong", {}, fmt(v))));
      const misses = data.results.filter((r) => !r.correct);
      out.replaceChildren(byline,
        el("div", { class: "score-head" }, el("span", { class: "big" }, `${data.correct}/${data.cases}`),
          el("span", {}, `correct (accuracy ${fmt(data.accuracy, 3)}) against baselines:`), ...baselines),
        data.baseline_notes ? el("p", { class: "muted small" }, rich(typeof data.baseline_notes === "string" ? data.baseline_notes : Object.entries(data.baseline_notes).map(([k, v]) => `${k}: ${v}`).join(" · "))) : null,
        misses.length ? el("p", { class: "muted" }, `${misses.length} miss${misses.length === 1 ? "" : "es"}: each row's “why” button asks the doctrine to explain its choice, as \`bamboo backtest\` lists wrong answers with their explanation.`) : null,
        el("div", { class: "table-wrap", tabindex: "0" }, el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "case"), el("th", { scope: "col" }, "in reality"), el("th", { scope: "col" }, "advised"), el("th", { scope: "col" }, "result"))),
          el("tbody", {}, data.results.map((r) => el("tr", {},
            el("td", {}, (info.get(r.id) || {}).title || r.id), el("td", {}, r.actual), el("td", {}, r.predicted),
            el("td", {}, r.correct ? el("span", { class: "ok-mark" }, "✓ hit") : missCell(r, text))))))));
    }
  } catch (e) {
    if (e.aborted) return;
    out.replaceChildren(notice("error", kind === "advise" ? "No advice" : "No score",
      e.errors && e.errors.length > 1 ? `${e.errors.length} problems in the case file; the first: ${e.message}` : e.message));
    if (e.errors && e.errors.length) markErrors(e.errors);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

/** A miss in a backtest, with a button that fetches the engine's explanation. */
function missCell(r, text) {
  const b = el("button", { type: "button", class: "small-btn" }, "why?");
  const cell = el("span", {}, el("span", { class: "no-mark" }, "✗ miss "), b);
  b.addEventListener("click", async () => {
    const block = splitCases(text).find((c) => c.id === r.id);
    if (!block) return;
    b.disabled = true;
    try {
      const { data } = await api(`/api/advise${caseQuery()}`, { method: "POST", headers: { "Content-Type": "application/toml" }, body: `${block.block}\n` });
      cell.replaceChildren(el("span", { class: "no-mark" }, "✗ miss: "), el("span", { class: "small" }, rich(data[0].explanation)));
    } catch (e) {
      cell.replaceChildren(el("span", { class: "no-mark" }, "✗ "), e.message);
    }
  });
  return cell;
}

/** The case builder: a form that writes one [[case]] into the editor. */
function buildCase(ev) {
  ev.preventDefault();
  const f = ev.target;
  const q = (s) => JSON.stringify(String(s).trim());
  const subject = toIso(f.subject.value);
  const out = $("#builder-out");
  if (!subject) {
    const s = suggest(f.subject.value);
    out.replaceChildren(notice("error", "Subject", `\`${f.subject.value}\` is not a state code or name${s.length ? `; did you mean ${s.join(", ")}?` : ""}`));
    f.subject.classList.add("invalid");
    return;
  }
  f.subject.classList.remove("invalid");
  const kind = f.kind.value;
  const lines = ["[[case]]", `id = ${q(f.cid.value || `${f.date.value}-${kind}`)}`, `date = ${q(f.date.value)}`, `subject = ${q(subject)}`, `kind = ${q(kind)}`, `title = ${q(f.title.value)}`];
  const cp = toIso(f.counterpart.value);
  if (f.counterpart.value.trim()) {
    if (!cp) { out.replaceChildren(notice("error", "Counterpart", `\`${f.counterpart.value}\` is not a state code or name; did you mean ${suggest(f.counterpart.value).join(", ") || "a code like USA"}?`)); return; }
    lines.push(`counterpart = ${q(cp)}`);
  }
  if (f.tier.value) lines.push(`tier = ${q(f.tier.value)}`);
  const tags = f.tags.value.split(/[,\s]+/).filter(Boolean);
  if (tags.length) lines.push(`tags = [${tags.map(q).join(", ")}]`);
  const src = f.sources.value.split("\n").map((s) => s.trim()).filter(Boolean);
  if (src.length) lines.push(`sources = [${src.map(q).join(", ")}]`);
  const text = `${lines.join("\n")}\n`;
  $("#case-text").value = text;
  state.caseDirty = true;
  $("#case-pick").value = "edited";
  out.replaceChildren(notice("ok", "Case written", "The editor holds the new case; Advise asks the doctrine. The server checks every field and names any it refuses."));
}

async function loadEngine() {
  const [{ data: ds }, { data: cs }] = await Promise.all([api("/api/doctrines"), api("/api/cases")]);
  state.doctrines = ds.doctrines;
  state.cases = cs.cases;
  // Which doctrines have a catalogue of moves (the planner's input): the ones that plan.
  for (const d of state.doctrines) d.plans = d.moves > 0;
  $("#doctrine").replaceChildren(
    el("option", { value: "" }, "the default for the case's subject"),
    ...ds.doctrines.map((d) => el("option", { value: d.name }, `${d.title}${d.default ? ` (default for ${d.subject_name})` : ""}`)));
  $("#case-file").replaceChildren(...cs.cases.map((c) => el("option", { value: c.name }, c.name)));
  if (cs.cases.some((c) => c.name === "vietnam-record")) $("#case-file").value = "vietnam-record";
  fillCasePicker();
  if (!ds.doctrines.length) {
    $("#advise-out").replaceChildren(notice("info", "No doctrines loaded", "The server found no doctrines/*.toml when it started, so it cannot advise."));
  }
}

// --- Simulate -------------------------------------------------------------------------

const titleOf = (name) => {
  const base = name.split(":")[0];
  const d = state.doctrines.find((x) => x.name === base);
  const t = d ? d.title : base;
  return name.includes(":") ? `${t} (${name.split(":").slice(1).join(":")})` : t;
};

/** The parameters shown first; the others go under "More parameters". */
const SIM_MAIN_PARAMS = ["polarisation", "volatility", "reaction", "coercion", "incident_rate"];

async function loadWorlds() {
  const { data } = await api("/api/worlds");
  state.worlds = data.worlds;
  state.simLimits = { ...data.limits, sweep: data.sweep_values };
  state.simOutcomes = data.outcomes;
  const w = data.worlds.find((x) => x.name === data.defaults.world) || data.worlds[0];
  if (!w) return;
  state.world = w;
  $("#sim-doctrines").replaceChildren(...w.doctrines.map((name) => el("label", {},
    el("input", { type: "checkbox", value: name, checked: w.compare.includes(name) }), titleOf(name))));
  $("#sim-world").textContent = `${w.title}: ${w.description} From ${w.start_year}.`;
  // The defaults are the server's (the CLI's): the link may replace them.
  $("#sim-runs").value = data.defaults.runs;
  $("#sim-years").value = data.defaults.years;
  $("#sim-seed").value = data.defaults.seed;
  $("#sim-runs").max = data.limits.runs;
  $("#sim-years").max = data.limits.years;
  $("#sim-limits").textContent = `This server runs at most ${data.limits.runs.toLocaleString("en")} runs, ${data.limits.years} years and ${data.limits.doctrines} doctrines, and ${data.limits.work.toLocaleString("en")} run-years in all (times the values of a sweep, at most ${data.sweep_values}), per simulation.`;
  // One control per world parameter, its range and meaning from the API.
  const control = (p) => el("label", { title: p.doc },
    el("span", {}, p.name.replace(/_/g, " "), " ", el("span", { class: "param-range" }, `${p.min}–${p.max}`)),
    el("input", { id: `sim-p-${p.name}`, type: "number", min: p.min, max: p.max, step: "any", inputmode: "decimal", placeholder: String(p.value), "data-param": p.name, "aria-describedby": "sim-limits" }));
  $("#sim-params").replaceChildren(...w.parameters.filter((p) => SIM_MAIN_PARAMS.includes(p.name)).map(control));
  $("#sim-params-more").replaceChildren(...w.parameters.filter((p) => !SIM_MAIN_PARAMS.includes(p.name)).map(control));
  $("#sim-sweep-param").replaceChildren(el("option", { value: "" }, "no sweep"),
    ...w.parameters.map((p) => el("option", { value: p.name }, `${p.name.replace(/_/g, " ")} (${p.min}–${p.max})`)));
  // Their state in the permalink: `set.NAME=value`, `sweep=NAME`, `sweep_values=...`.
  for (const p of w.parameters) {
    if (!HASH_FIELDS.some(([k]) => k === `set.${p.name}`)) HASH_FIELDS.push([`set.${p.name}`, `#sim-p-${p.name}`]);
  }
  for (const f of [["sweep", "#sim-sweep-param"], ["sweep_values", "#sim-sweep-values"]]) {
    if (!HASH_FIELDS.some(([k]) => k === f[0])) HASH_FIELDS.push(f);
  }
}

const pct = (x) => `${(100 * x).toFixed(0)}%`;
/** An outcome's value as its definition (from the API) says to show it. */
const showOutcome = (o, x) => (o.percent ? `${(100 * x).toFixed(o.decimals)}%` : fmt(x, o.decimals));
/** The outcomes with quantiles, and the one probability (`p_break`). */
const simRows = () => (state.simOutcomes || []).filter((o) => o.summary);
const simProb = () => (state.simOutcomes || []).find((o) => !o.summary);

function outcomeTable(r) {
  const prob = simProb();
  return el("div", { class: "table-wrap", tabindex: "0" }, el("table", { class: "sim-table" },
    el("caption", { class: "muted small" }, "Median over the runs, with the 5–95% range"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "outcome"), r.doctrines.map((d) => el("th", { scope: "col" }, titleOf(d.name))))),
    el("tbody", {},
      simRows().map((o) => el("tr", {}, el("th", { scope: "row" }, o.label),
        r.doctrines.map((d) => { const s = d.outcomes[o.name]; return el("td", { class: "num" }, `${showOutcome(o, s.p50)} (${showOutcome(o, s.p5)}–${showOutcome(o, s.p95)})`); }))),
      prob ? el("tr", {}, el("th", { scope: "row" }, prob.label), r.doctrines.map((d) => el("td", { class: "num" }, showOutcome(prob, d.outcomes[prob.name])))) : [])));
}

/** The reading, in medians (as the table), naming a doctrine "best" only when there are
 * several to compare; the outcomes and which way each is better come from the API. */
function simReading(r) {
  const ds = r.doctrines;
  const value = (d, o) => (o.summary ? d.outcomes[o.name].p50 : d.outcomes[o.name]);
  const outs = state.simOutcomes || [];
  if (ds.length === 1) {
    const d = ds[0];
    return `${titleOf(d.name)} over ${r.years} years (${r.runs} runs), medians: ${outs.map((o) => `${o.label.toLowerCase()} ${showOutcome(o, value(d, o))}`).join(", ")}.`;
  }
  const parts = outs.map((o) => {
    const top = ds.reduce((a, b) => ((o.better === "higher" ? value(b, o) > value(a, o) : value(b, o) < value(a, o)) ? b : a));
    return `${o.better === "higher" ? "highest" : "lowest"} ${o.label.toLowerCase()} under ${titleOf(top.name)} (${showOutcome(o, value(top, o))})`;
  });
  return `${ds.length} doctrines over ${r.years} years (${r.runs} runs each), by median: ${parts.join("; ")}.`;
}

/** Small multiples: one fan chart of the lean per doctrine, on a 0–1 scale at most. */
function simFans(r) {
  const yMax = Math.min(1, Math.max(0.2, Math.ceil(Math.max(...r.doctrines.flatMap((d) => d.lean_path.map((b) => b.p95))) * 10) / 10));
  return el("div", { class: "minis" }, r.doctrines.map((d) => {
    const W = 280, H = 150, L = 32, R = 8, T = 20, B = 22;
    const ys = d.lean_path.map((b) => b.year);
    const x0 = ys[0], x1 = ys[ys.length - 1];
    const sx = (x) => L + ((x - x0) / Math.max(1, x1 - x0)) * (W - L - R);
    const sy = (y) => T + (1 - y / yMax) * (H - T - B);
    const band = (lo, hi) => `M${d.lean_path.map((b) => `${sx(b.year).toFixed(1)},${sy(b[lo]).toFixed(1)}`).join("L")}L${[...d.lean_path].reverse().map((b) => `${sx(b.year).toFixed(1)},${sy(b[hi]).toFixed(1)}`).join("L")}Z`;
    const t = `${titleOf(d.name)}: lean ${x0}–${x1}, median ${fmt(d.lean_path[d.lean_path.length - 1].p50)} at the end`;
    return el("figure", { class: "mini" }, sv("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": t },
      sv("title", {}, t),
      sv("text", { x: L, y: 13, "font-size": 11, fill: "#1d2521" }, titleOf(d.name)),
      [0, yMax / 2, yMax].map((y) => [sv("line", { x1: L, x2: W - R, y1: sy(y), y2: sy(y), stroke: "#dde2da" }),
        sv("text", { x: L - 4, y: sy(y) + 3, "font-size": 9, "text-anchor": "end", fill: "#5b6660" }, y.toFixed(1))]),
      sv("path", { d: band("p5", "p95"), fill: "#cfe3cd" }),
      sv("path", { d: band("p25", "p75"), fill: "#94c191" }),
      sv("path", { d: `M${d.lean_path.map((b) => `${sx(b.year).toFixed(1)},${sy(b.p50).toFixed(1)}`).join("L")}`, fill: "none", stroke: "#1f4a27", "stroke-width": 1.8 }),
      sv("text", { x: L, y: H - 6, "font-size": 9, fill: "#5b6660" }, x0),
      sv("text", { x: W - R, y: H - 6, "font-size": 9, "text-anchor": "end", fill: "#5b6660" }, x1)));
  }));
}

/** Bars of the chance of a break and the median breaks, per doctrine. */
function simBars(r) {
  return el("ul", { class: "terms sim-bars", "aria-label": "chance of any break per doctrine" }, r.doctrines.map((d) => el("li", {},
    el("span", { class: "term-name" }, titleOf(d.name)),
    el("span", { class: "bar-track", "aria-hidden": "true" }, el("span", { class: "bar pos from0", "data-w": String(Math.round(100 * d.outcomes.p_break)) })),
    el("span", { class: "num" }, `${pct(d.outcomes.p_break)} · median ${fmt(d.outcomes.breaks.p50, 1)} breaks`))));
}

const SWEEP_COLOURS = ["#1f4a27", "#1f5f8b", "#8a5a00", "#a3261d"];

/** The sweep's small multiples: per outcome (the API's list), the median against the
 * parameter's value, one line per doctrine, one point per value. */
function sweepCharts(sw) {
  const ds = sw.points[0].report.doctrines.map((d) => d.name);
  const xs = sw.points.map((p) => p.value);
  const x0 = Math.min(...xs), x1 = Math.max(...xs);
  const legend = el("p", { class: "legend small" }, ds.map((d, i) => el("span", { class: `key c${i % SWEEP_COLOURS.length}` }, titleOf(d))));
  const figs = (state.simOutcomes || []).map((o) => {
    const val = (p, d) => { const v = p.report.doctrines.find((x) => x.name === d).outcomes[o.name]; return o.summary ? v.p50 : v; };
    const all = sw.points.flatMap((p) => ds.map((d) => val(p, d)));
    let [lo, hi] = o.range || [Math.min(0, ...all), Math.max(...all)];
    if (hi <= lo) hi = lo + 1;
    const W = 280, H = 150, L = 36, R = 10, T = 20, B = 24;
    const sx = (x) => L + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * (W - L - R);
    const sy = (y) => T + (1 - (y - lo) / (hi - lo)) * (H - T - B);
    const t = `${o.label} against ${sw.parameter}, median over the runs, one line per doctrine`;
    return el("figure", { class: "mini sweep-chart", "data-outcome": o.name }, sv("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": t },
      sv("title", {}, t),
      sv("text", { x: L, y: 13, "font-size": 11, fill: "#1d2521" }, o.label),
      [lo, (lo + hi) / 2, hi].map((y) => [sv("line", { x1: L, x2: W - R, y1: sy(y), y2: sy(y), stroke: "#dde2da" }),
        sv("text", { x: L - 4, y: sy(y) + 3, "font-size": 9, "text-anchor": "end", fill: "#5b6660" }, showOutcome(o, y))]),
      ds.map((d, i) => {
        const c = SWEEP_COLOURS[i % SWEEP_COLOURS.length];
        return sv("g", { class: "series", "data-doctrine": d },
          sv("path", { d: `M${sw.points.map((p) => `${sx(p.value).toFixed(1)},${sy(val(p, d)).toFixed(1)}`).join("L")}`, fill: "none", stroke: c, "stroke-width": 1.6 }),
          sw.points.map((p) => sv("circle", { cx: sx(p.value).toFixed(1), cy: sy(val(p, d)).toFixed(1), r: 2.6, fill: c, "data-value": p.value })));
      }),
      sv("text", { x: L, y: H - 6, "font-size": 9, fill: "#5b6660" }, String(x0)),
      sv("text", { x: (L + W - R) / 2, y: H - 6, "font-size": 9, "text-anchor": "middle", fill: "#5b6660" }, sw.parameter.replace(/_/g, " ")),
      sv("text", { x: W - R, y: H - 6, "font-size": 9, "text-anchor": "end", fill: "#5b6660" }, String(x1))));
  });
  return [legend, el("div", { class: "minis" }, figs)];
}

/** The sweep's table: a row per value and doctrine, the median of every outcome. */
function sweepTable(sw) {
  const outs = state.simOutcomes || [];
  return el("div", { class: "table-wrap", tabindex: "0" }, el("table", { class: "sim-table sweep-table" },
    el("caption", { class: "muted small" }, `Medians over the runs for each value of ${sw.parameter}`),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, sw.parameter), el("th", { scope: "col" }, "doctrine"), outs.map((o) => el("th", { scope: "col", class: "num" }, o.label)))),
    el("tbody", {}, sw.points.flatMap((p) => p.report.doctrines.map((d, i) => el("tr", { "data-value": p.value },
      i === 0 ? el("th", { scope: "rowgroup", rowspan: p.report.doctrines.length, class: "num" }, String(p.value)) : [],
      el("td", {}, titleOf(d.name)),
      outs.map((o) => el("td", { class: "num" }, showOutcome(o, o.summary ? d.outcomes[o.name].p50 : d.outcomes[o.name])))))))));
}

/** The world parameters set in the form, and the sweep, checked against the ranges the
 * API gave; problems are added to `problems`. */
function simSettings(problems) {
  const w = state.world;
  const parameters = {};
  for (const p of (w ? w.parameters : [])) {
    const e = $(`#sim-p-${p.name}`);
    const raw = e ? e.value.trim() : "";
    const bad = raw !== "" && !(Number.isFinite(Number(raw)) && Number(raw) >= p.min && Number(raw) <= p.max);
    if (e) e.classList.toggle("invalid", bad);
    if (bad) problems.push(`${p.name} must be a number from ${p.min} to ${p.max}`);
    else if (raw !== "") parameters[p.name] = Number(raw);
  }
  const name = $("#sim-sweep-param").value;
  const text = $("#sim-sweep-values").value.trim();
  let sweep = null;
  if (name || text) {
    const p = w && w.parameters.find((x) => x.name === name);
    const values = text.split(",").map((v) => v.trim()).filter((v) => v !== "").map(Number);
    const out = values.filter((v) => !(Number.isFinite(v) && p && v >= p.min && v <= p.max));
    if (!p) problems.push("choose the parameter to sweep, or clear its values");
    else if (!values.length) problems.push(`give the values of ${name} to sweep, comma-separated`);
    else if (out.length) problems.push(`the sweep's values ${out.map(String).join(", ")} are outside ${p.min}–${p.max}, the range of ${name}`);
    else if (values.length > state.simLimits.sweep) problems.push(`a sweep takes at most ${state.simLimits.sweep} values`);
    else sweep = { parameter: name, values };
    $("#sim-sweep-values").classList.toggle("invalid", !sweep);
  } else {
    $("#sim-sweep-values").classList.remove("invalid");
  }
  return { parameters, sweep };
}

async function simulate(ev) {
  ev.preventDefault();
  const out = $("#sim-out");
  const doctrines = [...document.querySelectorAll("#sim-doctrines input:checked")].map((i) => i.value);
  const lim = state.simLimits || { runs: Infinity, years: Infinity, doctrines: Infinity, work: Infinity, sweep: Infinity };
  const body = {
    world: state.world ? state.world.name : "default",
    doctrines,
    runs: Number($("#sim-runs").value),
    years: Number($("#sim-years").value),
    seed: Number($("#sim-seed").value),
  };
  const problems = [];
  if (!doctrines.length) problems.push("tick at least one doctrine to simulate");
  if (doctrines.length > lim.doctrines) problems.push(`tick at most ${lim.doctrines} doctrines`);
  if (!Number.isInteger(body.runs) || body.runs < 1 || body.runs > lim.runs) problems.push(`runs must be a whole number from 1 to ${lim.runs.toLocaleString("en")}`);
  if (!Number.isInteger(body.years) || body.years < 1 || body.years > lim.years) problems.push(`years must be a whole number from 1 to ${lim.years}`);
  if (!Number.isInteger(body.seed) || body.seed < 0) problems.push("the seed must be a whole number, 0 or more");
  const { parameters, sweep } = simSettings(problems);
  if (Object.keys(parameters).length) body.parameters = parameters;
  if (sweep) body.sweep = sweep;
  const points = sweep ? sweep.values.length : 1;
  const work = body.runs * body.years * doctrines.length * points;
  if (!problems.length && work > lim.work) problems.push(`runs × years × doctrines${sweep ? " × sweep values" : ""} is ${work.toLocaleString("en")}, beyond this server's ${lim.work.toLocaleString("en")} run-years`);
  $("#sim-runs").classList.toggle("invalid", problems.some((p) => p.startsWith("runs") || p.includes("run-years")));
  $("#sim-years").classList.toggle("invalid", problems.some((p) => p.startsWith("years")));
  if (problems.length) {
    out.replaceChildren(notice("error", "Not simulated", `${problems.join("; ")}.`));
    return;
  }
  writeHash();
  const button = $("#sim-form button[type=submit]");
  button.disabled = true;
  const signal = fresh("simulate");
  const started = performance.now();
  const progress = el("progress", { "aria-label": "simulating" });
  const msg = el("span", {}, `Simulating ${body.runs} runs × ${body.years} years for each of ${doctrines.length} doctrine${doctrines.length === 1 ? "" : "s"}${sweep ? ` and each of ${points} values of ${sweep.parameter}` : ""}…`);
  const tick = setInterval(() => { msg.textContent = `Simulating… ${((performance.now() - started) / 1000).toFixed(0)} s`; }, 1000);
  out.replaceChildren(el("p", { class: "muted", role: "status" }, progress, " ", msg));
  const set = Object.entries(parameters).map(([k, v]) => `${k} = ${v}`).join(", ");
  try {
    const { data } = await api("/api/simulate", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal,
    });
    if (sweep) {
      const rows = [["value", "doctrine", "outcome", "mean", "p5", "p50", "p95"], ...data.points.flatMap((p) => p.report.doctrines.flatMap((d) => (state.simOutcomes || []).map((o) => {
        const v = d.outcomes[o.name];
        return o.summary ? [p.value, d.name, o.name, v.mean, v.p5, v.p50, v.p95] : [p.value, d.name, o.name, v, "", "", ""];
      })))];
      out.replaceChildren(
        el("p", { class: "explanation-lead" }, `${data.parameter.replace(/_/g, " ")} swept over ${data.points.length} values (${data.points.map((p) => p.value).join(", ")}), ${body.runs} runs × ${body.years} years each${set ? `, with ${set}` : ""}: the median of each outcome per value.`),
        el("p", { class: "muted small" }, `${data.definition}.`),
        ...sweepCharts(data),
        sweepTable(data),
        el("p", { class: "links" }, downloadLink("Sweep (CSV)", "simulation-sweep.csv", "text/csv", csv(rows))));
      return;
    }
    const q = new URLSearchParams({ world: body.world, doctrines: body.doctrines.join(","), runs: body.runs, years: body.years, seed: body.seed, ...parameters });
    const rows = [["doctrine", "outcome", "mean", "p5", "p25", "p50", "p75", "p95"], ...data.doctrines.flatMap((d) => simRows().map((o) => [d.name, o.name, d.outcomes[o.name].mean, d.outcomes[o.name].p5, d.outcomes[o.name].p25, d.outcomes[o.name].p50, d.outcomes[o.name].p75, d.outcomes[o.name].p95]))];
    const lean = [["doctrine", "year", "p5", "p25", "p50", "p75", "p95"], ...data.doctrines.flatMap((d) => d.lean_path.map((b) => [d.name, b.year, b.p5, b.p25, b.p50, b.p75, b.p95]))];
    out.replaceChildren(
      el("p", { class: "explanation-lead" }, simReading(data)),
      el("p", { class: "muted" }, `${data.decisions.toLocaleString("en")} decisions by the doctrine engine, seed ${data.seed}, polarisation ${fmt(data.polarisation[0])} → ${fmt(data.polarisation[1])}${set ? `, with ${set}` : ""}; the same seed gives the same result. Lean over time (median line, 50% and 90% bands):`),
      simFans(data),
      el("h3", { class: "sub" }, "Chance of at least one break"), simBars(data),
      outcomeTable(data),
      el("p", { class: "links" },
        el("a", { href: `/api/chart/simulate.svg?${q}`, download: "simulation.svg" }, "Full chart with every distribution (SVG)"),
        downloadLink("Outcomes (CSV)", "simulation-outcomes.csv", "text/csv", csv(rows)),
        downloadLink("Lean paths (CSV)", "simulation-lean.csv", "text/csv", csv(lean))));
    sizeBars(out);
  } catch (e) {
    if (!e.aborted) out.replaceChildren(notice("error", "Cannot simulate", e.message));
  } finally {
    clearInterval(tick);
    button.disabled = false;
  }
}

// --- Ledger ---------------------------------------------------------------------------

const isUrl = (s) => /^https?:\/\/\S+$/.test(s);

/** A source: a link when it is a URL or one of the seed articles (explained in the
 * glossary), else its text. */
function sourceItem(s) {
  if (isUrl(s)) return el("a", { href: s, rel: "noopener noreferrer", target: "_blank" }, s);
  const m = s.match(/^seed:(00[0-4])$/);
  if (m) {
    const row = document.getElementById(`seed-${m[1]}`);
    return el("span", {}, el("a", { href: `#seed-${m[1]}`, class: "seed" }, s), row ? `: ${row.dataset.title}` : "");
  }
  return s;
}

async function loadLedger() {
  const q = new URLSearchParams({ limit: "500" });
  for (const [k, id] of [["actor", "#ledger-actor"], ["kind", "#ledger-kind"], ["from", "#ledger-from"], ["to", "#ledger-to"]]) {
    if ($(id).value) q.set(k, $(id).value);
  }
  const list = $("#timeline");
  const signal = fresh("ledger");
  try {
    const { data } = await api(`/api/ledger/events?${q}`, { signal });
    if ($("#ledger-kind").options.length === 1) {
      $("#ledger-kind").append(...data.kinds.map((k) => el("option", { value: k }, k)));
      $("#event-kind").replaceChildren(...data.kinds.map((k) => el("option", { value: k }, k)));
      toggleEventFields();
    }
    $("#ledger-count").textContent = data.count
      ? `${data.count} event${data.count === 1 ? "" : "s"}${data.truncated ? ` (the first ${data.count})` : ""}, newest first`
      : "No event matches.";
    list.replaceChildren(...[...data.events].reverse().map((e) => el("li", {},
      el("div", {}, el("span", { class: "when" }, e.date), el("span", { class: `kind ${e.kind}` }, e.kind),
        el("span", { class: "title" }, e.title)),
      el("div", { class: "meta" },
        e.actors.map((a) => el("span", { class: "actor", title: nameOf(a) }, a)),
        e.tier ? el("span", { class: "muted" }, `tier: ${e.tier.replace(/_/g, " ")}`) : null,
        e.votes ? el("span", { class: "muted" }, Object.entries(e.votes).map(([c, v]) => `${c} ${v}`).join(" · ")) : null),
      el("ul", { class: "sources", "aria-label": "sources" }, e.sources.map((s) => el("li", {}, sourceItem(s)))))));
    const rows = [["id", "date", "kind", "actors", "title", "tier", "sources"], ...data.events.map((e) => [e.id, e.date, e.kind, e.actors.join(" "), e.title, e.tier, e.sources.join(" | ")])];
    $("#ledger-links").replaceChildren(downloadLink("These events (CSV)", "ledger.csv", "text/csv", csv(rows)), el("a", { href: `/api/ledger/events?${q}` }, "JSON"));
  } catch (e) {
    if (!e.aborted) list.replaceChildren(notice("error", "Cannot read the ledger", e.message));
  }
}

function toggleEventFields() {
  const k = $("#event-kind").value;
  $("#tier-field").hidden = k !== "partnership";
  $("#votes-field").hidden = k !== "vote";
}

/** Actors as codes: names become codes, and a name that matches none gets suggestions. */
function readActors(text) {
  const parts = text.split(/[,;]+/).map((x) => x.trim()).filter(Boolean);
  const codes = [];
  const bad = [];
  for (const p of parts) {
    const iso = toIso(p);
    if (iso) codes.push(iso); else bad.push(p);
  }
  return { codes, bad };
}

async function recordEvent(ev) {
  ev.preventDefault();
  const f = ev.target;
  const out = $("#event-out");
  f.querySelectorAll(".invalid").forEach((x) => x.classList.remove("invalid"));
  const list = (s, sep) => s.split(sep).map((x) => x.trim()).filter(Boolean);
  const actors = readActors(f.actors.value);
  if (actors.bad.length) {
    f.actors.classList.add("invalid");
    f.actors.focus();
    out.replaceChildren(notice("error", "Not recorded", actors.bad.map((b) => {
      const s = suggest(b);
      return `actor \`${b}\` is not an ISO 3166-1 alpha-3 code or a state's name${s.length ? `; did you mean ${s.join(", ")}?` : ""}`;
    }).join("; ")));
    return;
  }
  const body = {
    date: f.date.value,
    kind: f.kind.value,
    actors: actors.codes,
    title: f.title.value.trim(),
    sources: list(f.sources.value, /\n/),
  };
  if (body.kind === "partnership") body.tier = f.tier.value;
  if (body.kind === "vote") {
    body.votes = Object.fromEntries(list(f.votes.value, /[,;]+/).map((p) => p.split(/[=:\s]+/).map((x) => x.trim())).map(([c, v]) => [toIso(c) || (c || "").toUpperCase(), (v || "").toLowerCase()]));
  }
  const token = f.token.value.trim();
  if (token) sessionStorage.setItem("bamboo-token", token);
  try {
    const { data } = await api("/api/ledger/events", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    out.replaceChildren(notice("ok", "Recorded", `Event ${data.id}: ${data.date} ${data.title}. It is on disk.`));
    f.title.value = "";
    await Promise.all([loadLedger(), loadHealth()]);
  } catch (e) {
    const name = e.status === 401 ? "token" : e.field;
    if (name && f.elements[name]) {
      f.elements[name].classList.add("invalid");
      f.elements[name].focus();
    }
    out.replaceChildren(notice("error", e.status === 401 ? "Not allowed" : "Not recorded", e.message));
  }
}

// --- Wiring ---------------------------------------------------------------------------

function debounce(fn, ms) {
  let t;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}

/** The search box: a name or code selects the country. */
function searchCountry() {
  const v = $("#country-search").value;
  const iso = toIso(v);
  const msg = $("#search-msg");
  if (!v.trim()) { msg.textContent = ""; return; }
  if (iso && [...$("#country").options].some((o) => o.value === iso)) {
    msg.textContent = "";
    if (iso !== $("#country").value) selectCountry(iso, "search");
  } else {
    const s = suggest(v);
    msg.textContent = s.length ? `No state “${v}”; did you mean ${s.join(", ")}?` : `No state matches “${v}”.`;
  }
}

async function main() {
  await loadHealth();
  const [lo, hi] = state.years;
  for (const id of ["#from", "#to", "#year", "#map-year", "#table-year"]) { $(id).min = lo; $(id).max = hi; }
  $("#to").value = hi;
  $("#year").value = hi;
  $("#map-year").value = hi;
  $("#table-year").value = hi;
  try {
    await Promise.all([loadCountries(), loadGroups()]);
  } catch (e) {
    $("#balance-chart").replaceChildren(notice("error", "Cannot read the countries", e.message));
    return;
  }
  let engine = loadEngine().catch((e) => {
    $("#advise-out").replaceChildren(notice("error", "Cannot load the doctrines", e.message));
  }).then(() => loadWorlds()).catch((e) => {
    $("#sim-out").replaceChildren(notice("error", "Cannot load the simulation worlds", e.message));
  });
  // The permalink: every control it names, and a clear word for what it cannot show.
  const h = readHash();
  const problems = [];
  const wanted = h.get("country");
  if (wanted && !$("#country").querySelector(`option[value="${CSS.escape(wanted.toUpperCase())}"]`)) {
    const s = suggest(wanted);
    problems.push(`there is no state \`${wanted}\` with votes in the data${s.length ? ` (did you mean ${s.join(", ")}?)` : ""}; showing Vietnam`);
    h.delete("country");
  }
  $("#country").value = (h.get("country") || "VNM").toUpperCase();
  followSpan(null, $("#country").value);
  hashLock = true;
  await engine;
  for (const [k, sel] of HASH_FIELDS) {
    if (k === "country") continue;
    if (k === "case") {
      if (h.get("case_file")) fillCasePicker();
      setFromHash(h, k, sel, problems);
      continue;
    }
    setFromHash(h, k, sel, problems);
  }
  if (h.get("doctrines")) {
    const want = new Set(h.get("doctrines").split(","));
    document.querySelectorAll("#sim-doctrines input").forEach((i) => { i.checked = want.has(i.value); });
  }
  restoreBand(h);
  hashLock = false;
  fillCaseText();
  $("#hash-msg").replaceChildren(...(problems.length ? [notice("error", "Part of the link could not be shown", problems.join("; "))] : []));

  $("#align-form").addEventListener("change", (e) => {
    if (e.target.id === "country-search" || e.target.id === "compare") return;
    if (e.target.id === "country") followSpan(state.prevCountry, $("#country").value);
    state.prevCountry = $("#country").value;
    if (e.target.id === "metric") $("#issue").disabled = $("#metric").value === "ideal";
    updateAlignment();
  });
  state.prevCountry = $("#country").value;
  $("#align-form").addEventListener("submit", (e) => { e.preventDefault(); updateAlignment(); });
  $("#country-search").addEventListener("change", searchCountry);
  $("#compare").addEventListener("change", updateCompare);
  wireEvidence();
  $("#heat-form").addEventListener("change", updateHeatmap);
  $("#heat-form").addEventListener("submit", (e) => { e.preventDefault(); updateHeatmap(); });
  $("#year").addEventListener("input", debounce(updateHeatmap, 400));
  $("#map-year").addEventListener("input", () => { $("#map-year-out").textContent = $("#map-year").value; });
  $("#map-year").addEventListener("input", debounce(updateMap, 350));
  $("#map-form").addEventListener("change", updateMap);
  $("#map-form").addEventListener("submit", (e) => { e.preventDefault(); updateMap(); });
  $("#map-chart").addEventListener("click", pickOnMap);
  $("#country").addEventListener("change", markOnMap);
  $("#table-form").addEventListener("submit", (e) => { e.preventDefault(); updateTable(); });
  $("#table-year").addEventListener("change", updateTable);
  $("#table-sort").addEventListener("change", () => { writeHash(); renderTable(); });
  $("#table-search").addEventListener("input", renderTable);
  $("#table-out").addEventListener("click", (e) => { const b = e.target.closest("[data-pick]"); if (b) selectCountry(b.dataset.pick, "table"); });
  $("#case-file").addEventListener("change", () => guardedFill(true));
  $("#case-pick").addEventListener("change", () => guardedFill(false));
  $("#case-text").addEventListener("input", () => { state.caseDirty = true; $("#case-pick").value = "edited"; });
  $("#doctrine").addEventListener("change", writeHash);
  $("#advise-form").addEventListener("submit", (e) => { e.preventDefault(); runCases("advise"); });
  $("#backtest-btn").addEventListener("click", () => runCases("backtest"));
  $("#builder").addEventListener("submit", buildCase);
  $("#sim-form").addEventListener("submit", simulate);
  $("#sim-form").addEventListener("change", writeHash);
  $("#ledger-filter").addEventListener("change", loadLedger);
  $("#event-kind").addEventListener("change", toggleEventFields);
  $("#event-form").addEventListener("submit", recordEvent);
  $("#event-form").token.value = sessionStorage.getItem("bamboo-token") || "";
  window.addEventListener("hashchange", () => {
    const c = readHash().get("country");
    if (c && c !== $("#country").value && state.names.has(c)) { $("#country").value = c; updateAlignment(); }
  });
  $("#issue").disabled = $("#metric").value === "ideal";
  await Promise.all([updateAlignment(), updateHeatmap(), updateMap(), loadLedger()]);
  await restoreEvidence(h);
  writeHash();
  document.body.dataset.ready = "true";
}

main();
