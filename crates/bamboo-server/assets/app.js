// bamboo dashboard: plain JavaScript, no build step, no third-party code. Everything it
// shows comes from this server's JSON API and its server-rendered SVG charts.
"use strict";

const $ = (sel) => document.querySelector(sel);

/** Builds an element; children may be strings, nodes, or arrays of them. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** A request to the API. Resolves to {status, headers, data}; rejects with the API's own
 * error message (every error answer is JSON {"error": ...}). */
async function api(path, opts = {}) {
  let resp;
  try {
    resp = await fetch(path, opts);
  } catch (e) {
    throw Object.assign(new Error("The server cannot be reached. Is `bamboo serve` still running?"), { status: 0 });
  }
  const type = resp.headers.get("content-type") || "";
  const body = type.includes("json") ? await resp.json() : await resp.text();
  if (!resp.ok) {
    const msg = body && body.error ? body.error : `${resp.status} ${resp.statusText}`;
    throw Object.assign(new Error(msg), { status: resp.status, field: body && body.field });
  }
  return { status: resp.status, headers: resp.headers, data: body };
}

/** A message box; the API's messages start in lower case, as the CLI's do. */
function notice(kind, title, text) {
  const msg = String(text);
  return el("div", { class: `notice ${kind}`, role: kind === "error" ? "alert" : null },
    el("strong", { text: title }), msg.charAt(0).toUpperCase() + msg.slice(1));
}

/** Replaces a figure's content with the SVG chart at `url`, parsed (never as script). */
async function showSvg(figure, url) {
  figure.setAttribute("aria-busy", "true");
  try {
    const { data } = await api(url);
    const doc = new DOMParser().parseFromString(data, "image/svg+xml");
    if (doc.querySelector("parsererror")) throw new Error("the chart could not be read");
    figure.replaceChildren(document.importNode(doc.documentElement, true));
  } catch (e) {
    figure.replaceChildren(notice("error", "No chart", e.message));
  } finally {
    figure.setAttribute("aria-busy", "false");
  }
}

const fmt = (x, d = 2) => (x === null || x === undefined ? "–" : Number(x).toFixed(d));
const state = { countries: [], names: new Map(), doctrines: [], cases: [], worlds: [], world: null, years: [1946, 2021], features: {} };
const nameOf = (c) => state.names.get(c) || c;

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
  for (const c of data.countries) state.names.set(c.iso3, c.short_name);
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
  const region = $("#region");
  region.replaceChildren(
    ...data.regions.map((r) => el("option", { value: r }, r)),
    el("option", { value: "" }, "All regions (large)"));
  region.value = "Asia";
  const actor = $("#ledger-actor");
  actor.replaceChildren(el("option", { value: "" }, "any"),
    ...[...data.countries].sort((a, b) => a.short_name.localeCompare(b.short_name))
      .map((c) => el("option", { value: c.iso3 }, `${c.short_name} (${c.iso3})`)));
}

function readHash() {
  const h = new URLSearchParams(location.hash.replace(/^#/, ""));
  return { country: h.get("country") };
}

// --- Alignment ------------------------------------------------------------------------

function alignQuery() {
  const from = parseInt($("#from").value, 10);
  const to = parseInt($("#to").value, 10);
  const q = new URLSearchParams();
  if (!Number.isNaN(from)) q.set("from", String(from));
  if (!Number.isNaN(to)) q.set("to", String(to));
  q.set("by", $("#by").value);
  return q.toString();
}

async function updateAlignment() {
  const iso3 = $("#country").value;
  if (!iso3) return;
  history.replaceState(null, "", `#country=${iso3}`);
  const q = alignQuery();
  const chartUrl = `/api/chart/balance/${iso3}.svg?${q}`;
  const jsonUrl = `/api/balance/${iso3}?${q}`;
  $("#align-links").replaceChildren(
    el("a", { href: chartUrl, download: `${iso3}-balance.svg` }, "Download the chart (SVG)"),
    el("a", { href: jsonUrl }, "The numbers (JSON)"));
  const reading = $("#reading");
  const chart = showSvg($("#balance-chart"), chartUrl);
  try {
    const { data } = await api(jsonUrl);
    const rows = data.rows.filter((r) => r.lean !== null);
    const last = rows[rows.length - 1];
    if (!last) {
      reading.replaceChildren(el("span", { class: "muted" }, "No year in this span where every pole's alignment is defined."));
    } else {
      const span = last.from === last.to ? `${last.to}` : `${last.from}–${last.to}`;
      const lean = rows.reduce((a, r) => a + r.lean, 0) / rows.length;
      reading.replaceChildren(
        el("span", { class: "pill" }, `${data.name}, ${span}:`),
        ...last.alignments.map((a) => el("span", { class: "pill", title: `${a.n} roll calls both voted on` },
          `with ${nameOf(a.pole)}`, el("strong", {}, fmt(a.alignment)))),
        el("span", { class: "pill lean", title: "max − min alignment over the poles; 0 = equidistant" },
          "lean", el("strong", {}, fmt(last.lean)), `toward ${nameOf(last.toward)}`),
        el("span", { class: "pill", title: "the mean lean over every year shown" },
          `mean lean ${rows[0].from}–${last.to}`, el("strong", {}, fmt(lean))));
    }
  } catch (e) {
    reading.replaceChildren(notice("error", "Cannot read the balance", e.message));
  }
  await chart;
}

// --- Heatmap --------------------------------------------------------------------------

async function updateHeatmap() {
  const year = $("#year").value;
  const region = $("#region").value;
  const q = new URLSearchParams({ year });
  if (region) q.set("region", region);
  await showSvg($("#heat-chart"), `/api/chart/heatmap.svg?${q}`);
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
  $("#map-links").replaceChildren(
    el("a", { href: url, download: `map-${q.get("measure").replace(":", "-")}-${q.get("year")}.svg` }, "Download the map (SVG)"),
    el("a", { href: `/api/atlas?year=${q.get("year")}` }, "Every state's numbers (JSON)"));
  await showSvg($("#map-chart"), url);
  markOnMap();
}

/** A click on a state selects it in the alignment panel. */
function pickOnMap(ev) {
  const target = ev.target.closest("[data-id]");
  if (!target) return;
  const iso3 = target.dataset.id;
  const option = [...$("#country").options].find((o) => o.value === iso3);
  if (!option) {
    $("#map-pick").textContent = `${nameOf(iso3)} (${iso3}) has cast no vote in the data.`;
    return;
  }
  $("#country").value = iso3;
  $("#map-pick").textContent = `Selected ${nameOf(iso3)} (${iso3}): its alignment is shown above.`;
  markOnMap();
  updateAlignment();
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
    el("option", { value: "all" }, `All ${cases.length} cases in this file`));
  pick.value = cases.length ? "0" : "all";
  fillCaseText();
}

function fillCaseText() {
  const file = state.cases.find((c) => c.name === $("#case-file").value);
  if (!file) return;
  const v = $("#case-pick").value;
  $("#case-text").value = v === "all" ? file.toml : `${file.parsed[Number(v)].block}\n`;
}

function violationsCell(list, roots) {
  if (!list.length) return el("span", { class: "ok-mark" }, "✓ allowed");
  return list.map((id) => el("span", { class: "tag", title: roots.get(id) || "" }, id));
}

function renderAdvice(answers, caseInfo, doctrine) {
  const roots = new Map((doctrine ? doctrine.roots : []).map((r) => [r.id, r.principle]));
  return answers.map((a) => {
    const info = caseInfo.get(a.id) || {};
    const actual = info.actual
      ? el("span", { class: `actual ${info.actual === a.choice ? "hit" : "miss"}` },
        info.actual === a.choice ? `✓ what ${nameOf(info.subject)} really did` : `✗ in reality: ${info.actual}`)
      : null;
    const options = el("table", {},
      el("thead", {}, el("tr", {}, el("th", {}, "option"), el("th", {}, "roots"), el("th", { class: "num" }, "score"))),
      el("tbody", {}, a.options.map((o) => el("tr", { class: o.option === a.choice ? "chosen" : null },
        el("td", {}, o.option), el("td", {}, violationsCell(o.violations, roots)), el("td", { class: "num" }, fmt(o.score, 3))))));
    // The first sentence says what and why; the rest is the arithmetic behind it.
    const cut = a.explanation.indexOf(". ");
    const lead = cut > 0 ? a.explanation.slice(0, cut + 1) : a.explanation;
    const rest = cut > 0 ? a.explanation.slice(cut + 2) : "";
    const broken = [...new Set(a.options.flatMap((o) => o.violations))];
    const plan = a.plan.length
      ? el("ul", { class: "plan" }, a.plan.map((p) => el("li", {},
        el("span", { class: `pillar ${p.pillar}` }, p.pillar), el("span", { class: "toward", title: nameOf(p.toward) }, `→ ${p.toward}`), el("span", {}, p.action))))
      : el("p", { class: "muted" }, "No pole to reassure: no plan needed.");
    return el("article", { class: "answer" },
      el("header", {},
        el("span", { class: "choice", "data-choice": a.choice }, a.choice),
        el("h3", {}, info.title || a.id),
        el("span", { class: "case-id" }, info.date ? `${info.date} · ${a.id}` : a.id),
        actual),
      el("p", { class: "explanation explanation-lead" }, lead),
      rest ? el("p", { class: "explanation-more" }, rest) : null,
      el("div", { class: "cols" },
        el("div", {}, el("h4", { class: "sub" }, "Options"), options,
          broken.length ? el("ul", { class: "roots-key", "aria-label": "roots that rule options out" },
            broken.map((id) => el("li", {}, el("span", { class: "tag" }, id), roots.get(id) || ""))) : null,
          el("p", { class: "muted" }, `Lean between the poles: ${fmt(a.lean.before, 3)} before → ${fmt(a.lean.after, 3)} after`)),
        el("div", {}, el("h4", { class: "sub" }, "Pillar plan (party · state · people)"), plan)));
  });
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
  buttons.forEach((b) => { b.disabled = true; });
  out.replaceChildren(el("p", { class: "muted" }, kind === "advise" ? "Asking the doctrine…" : "Scoring…"));
  try {
    const { data, headers } = await api(`/api/${kind}${caseQuery()}`, {
      method: "POST", headers: { "Content-Type": "application/toml" }, body: text,
    });
    const used = headers.get("bamboo-doctrine");
    const doctrine = state.doctrines.find((d) => d.name === used);
    const byline = el("p", { class: "muted" }, `Answered by the doctrine “${doctrine ? doctrine.title : used}”.`);
    const info = new Map(splitCases(text).map((c) => [c.id, c]));
    if (kind === "advise") {
      out.replaceChildren(byline, ...renderAdvice(data, info, doctrine));
    } else {
      const baselines = Object.entries(data.baselines).map(([k, v]) => el("span", { class: "pill" }, k, el("strong", {}, fmt(v))));
      out.replaceChildren(byline,
        el("div", { class: "score-head" }, el("span", { class: "big" }, `${data.correct}/${data.cases}`),
          el("span", {}, `correct (accuracy ${fmt(data.accuracy, 3)}) against baselines:`), ...baselines),
        el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "case"), el("th", {}, "in reality"), el("th", {}, "advised"), el("th", {}, ""))),
          el("tbody", {}, data.results.map((r) => el("tr", {},
            el("td", {}, (info.get(r.id) || {}).title || r.id), el("td", {}, r.actual), el("td", {}, r.predicted),
            el("td", {}, r.correct ? el("span", { class: "ok-mark" }, "✓") : el("span", { class: "no-mark" }, "✗")))))));
    }
  } catch (e) {
    out.replaceChildren(notice("error", kind === "advise" ? "No advice" : "No score", e.message));
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

async function loadEngine() {
  const [{ data: ds }, { data: cs }] = await Promise.all([api("/api/doctrines"), api("/api/cases")]);
  state.doctrines = ds.doctrines;
  state.cases = cs.cases;
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

async function loadWorlds() {
  const { data } = await api("/api/worlds");
  state.worlds = data.worlds;
  const w = data.worlds.find((x) => x.name === "default") || data.worlds[0];
  if (!w) return;
  state.world = w;
  const titles = new Map(state.doctrines.map((d) => [d.name, d.title]));
  $("#sim-doctrines").replaceChildren(...w.doctrines.map((name) => el("label", {},
    el("input", { type: "checkbox", value: name, checked: w.compare.includes(name) }), titles.get(name) || name)));
  $("#sim-world").textContent = `${w.title}: ${w.description} From ${w.start_year}.`;
  $("#sim-runs").max = data.limits.runs;
  $("#sim-years").max = data.limits.years;
  $("#sim-limits").textContent = `This server runs at most ${data.limits.runs.toLocaleString("en")} runs, ${data.limits.years} years and ${data.limits.doctrines} doctrines, and ${data.limits.work.toLocaleString("en")} run-years in all, per simulation.`;
}

const pct = (x) => `${(100 * x).toFixed(0)}%`;

function outcomeTable(r) {
  const rows = [
    ["Economic gain (points)", (o) => o.economic_gain, (x) => fmt(x, 1)],
    ["Incidents suffered", (o) => o.incidents, (x) => fmt(x, 1)],
    ["Relationship breaks", (o) => o.breaks, (x) => fmt(x, 2)],
    ["Autonomy (roots kept)", (o) => o.autonomy, pct],
    ["Lean in the final year", (o) => o.final_lean, (x) => fmt(x, 2)],
  ];
  return el("table", { class: "sim-table" },
    el("thead", {}, el("tr", {}, el("th", {}, "median (5–95%)"), r.doctrines.map((d) => el("th", {}, d.name)))),
    el("tbody", {},
      rows.map(([label, pick, f]) => el("tr", {}, el("td", {}, label),
        r.doctrines.map((d) => { const s = pick(d.outcomes); return el("td", { class: "num" }, `${f(s.p50)} (${f(s.p5)}–${f(s.p95)})`); }))),
      el("tr", {}, el("td", {}, "Chance of any break"), r.doctrines.map((d) => el("td", { class: "num" }, pct(d.outcomes.p_break))))));
}

async function simulate(ev) {
  ev.preventDefault();
  const out = $("#sim-out");
  const body = {
    world: state.world ? state.world.name : "default",
    doctrines: [...document.querySelectorAll("#sim-doctrines input:checked")].map((i) => i.value),
    runs: Number($("#sim-runs").value),
    years: Number($("#sim-years").value),
    seed: Number($("#sim-seed").value),
  };
  const button = $("#sim-form button[type=submit]");
  button.disabled = true;
  out.replaceChildren(el("p", { class: "muted" }, `Simulating ${body.runs} runs × ${body.years} years for each doctrine…`));
  try {
    const { data } = await api("/api/simulate", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const q = new URLSearchParams({ world: body.world, doctrines: body.doctrines.join(","), runs: body.runs, years: body.years, seed: body.seed });
    const fig = el("figure", { class: "chart wide", "aria-busy": "true" });
    out.replaceChildren(
      el("p", { class: "explanation-lead" }, data.reading),
      el("p", { class: "muted" }, `${data.decisions.toLocaleString("en")} decisions by the doctrine engine, seed ${data.seed}; the same seed gives the same result.`),
      fig,
      el("p", { class: "links" }, el("a", { href: `/api/chart/simulate.svg?${q}`, target: "_blank" }, "Open the chart full size (SVG)")),
      outcomeTable(data));
    await showSvg(fig, `/api/chart/simulate.svg?${q}`);
  } catch (e) {
    out.replaceChildren(notice("error", "Cannot simulate", e.message));
  } finally {
    button.disabled = false;
  }
}

// --- Ledger ---------------------------------------------------------------------------

const isUrl = (s) => /^https?:\/\/\S+$/.test(s);

async function loadLedger() {
  const q = new URLSearchParams({ limit: "500" });
  for (const [k, id] of [["actor", "#ledger-actor"], ["kind", "#ledger-kind"], ["from", "#ledger-from"], ["to", "#ledger-to"]]) {
    if ($(id).value) q.set(k, $(id).value);
  }
  const list = $("#timeline");
  try {
    const { data } = await api(`/api/ledger/events?${q}`);
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
      el("ul", { class: "sources", "aria-label": "sources" }, e.sources.map((s) =>
        el("li", {}, isUrl(s) ? el("a", { href: s, rel: "noopener noreferrer", target: "_blank" }, s) : s))))));
  } catch (e) {
    list.replaceChildren(notice("error", "Cannot read the ledger", e.message));
  }
}

function toggleEventFields() {
  const k = $("#event-kind").value;
  $("#tier-field").hidden = k !== "partnership";
  $("#votes-field").hidden = k !== "vote";
}

async function recordEvent(ev) {
  ev.preventDefault();
  const f = ev.target;
  const out = $("#event-out");
  f.querySelectorAll(".invalid").forEach((x) => x.classList.remove("invalid"));
  const list = (s, sep) => s.split(sep).map((x) => x.trim()).filter(Boolean);
  const body = {
    date: f.date.value,
    kind: f.kind.value,
    actors: list(f.actors.value.toUpperCase(), /[,\s]+/),
    title: f.title.value.trim(),
    sources: list(f.sources.value, /\n/),
  };
  if (body.kind === "partnership") body.tier = f.tier.value;
  if (body.kind === "vote") {
    body.votes = Object.fromEntries(list(f.votes.value, /[,;]+/).map((p) => p.split(/[=:\s]+/).map((x) => x.trim())).map(([c, v]) => [(c || "").toUpperCase(), (v || "").toLowerCase()]));
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

async function main() {
  await loadHealth();
  const [lo, hi] = state.years;
  for (const id of ["#from", "#to", "#year", "#map-year"]) { $(id).min = lo; $(id).max = hi; }
  $("#to").value = hi;
  $("#year").value = hi;
  $("#map-year").value = hi;
  try {
    await loadCountries();
  } catch (e) {
    $("#balance-chart").replaceChildren(notice("error", "Cannot read the countries", e.message));
    return;
  }
  const wanted = readHash().country;
  $("#country").value = wanted && state.names.has(wanted) ? wanted : "VNM";
  $("#align-form").addEventListener("change", updateAlignment);
  $("#align-form").addEventListener("submit", (e) => { e.preventDefault(); updateAlignment(); });
  $("#heat-form").addEventListener("change", updateHeatmap);
  $("#heat-form").addEventListener("submit", (e) => { e.preventDefault(); updateHeatmap(); });
  $("#year").addEventListener("input", debounce(updateHeatmap, 400));
  $("#map-year").addEventListener("input", () => { $("#map-year-out").textContent = $("#map-year").value; });
  $("#map-year").addEventListener("input", debounce(updateMap, 350));
  $("#map-measure").addEventListener("change", updateMap);
  $("#map-form").addEventListener("submit", (e) => { e.preventDefault(); updateMap(); });
  $("#map-chart").addEventListener("click", pickOnMap);
  $("#country").addEventListener("change", markOnMap);
  $("#case-file").addEventListener("change", fillCasePicker);
  $("#case-pick").addEventListener("change", fillCaseText);
  $("#advise-form").addEventListener("submit", (e) => { e.preventDefault(); runCases("advise"); });
  $("#backtest-btn").addEventListener("click", () => runCases("backtest"));
  $("#sim-form").addEventListener("submit", simulate);
  $("#ledger-filter").addEventListener("change", loadLedger);
  $("#event-kind").addEventListener("change", toggleEventFields);
  $("#event-form").addEventListener("submit", recordEvent);
  $("#event-form").token.value = sessionStorage.getItem("bamboo-token") || "";
  window.addEventListener("hashchange", () => {
    const c = readHash().country;
    if (c && c !== $("#country").value && state.names.has(c)) { $("#country").value = c; updateAlignment(); }
  });
  await Promise.all([updateAlignment(), updateHeatmap(), updateMap(), loadEngine().catch((e) => {
    $("#advise-out").replaceChildren(notice("error", "Cannot load the doctrines", e.message));
  }).then(() => loadWorlds()).catch((e) => {
    $("#sim-out").replaceChildren(notice("error", "Cannot load the simulation worlds", e.message));
  }), loadLedger()]);
  document.body.dataset.ready = "true";
}

main();
