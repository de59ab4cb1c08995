// End-to-end test of the dashboard: starts the real `bamboo serve` on a free loopback port
// with a fresh ledger, drives Debian's headless Chromium with playwright-core (no browser
// download), and checks what a person would do. At 390, 768 and 1440 px: the page is no
// wider than the screen, every chart fits its card, axe-core finds no accessibility
// violation, no request leaves the origin, and every panel is photographed
// (<panel>-<width>.png). Then, at 1440 px: the charts follow the controls (one request
// per change, never a stale answer), the span follows the country, permalinks keep every
// view's state, the map selects, advice comes with its plan timeline and every error of a
// case file at once, the simulation refuses what it cannot run and can be steered (world
// parameters, a sweep), the ledger links its sources and turns names into codes, and a
// point of the balance chart lists the roll calls behind it (click or keyboard) with
// totals that are the point's figure, the intervals drawn as bands. Screenshots go to
// $E2E_OUT (default: target/e2e/).
// Exits non-zero on the first failure.
//
// Environment: BAMBOO_BIN (the bamboo binary; default target/debug/bamboo), CHROMIUM
// (default /usr/bin/chromium), E2E_OUT.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = process.env.BAMBOO_BIN || join(root, "target/debug/bamboo");
const out = process.env.E2E_OUT || join(root, "target/e2e");
mkdirSync(out, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), "bamboo-e2e-"));
const TOKEN = "e2e-token-0123456789abcdef";
// axe-core from npm, evaluated in the page from here (no CDN; the page's CSP stays on).
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

function fail(msg) {
  throw new Error(msg);
}

/** Starts the server; resolves with its base URL once it prints where it listens. */
function startServer() {
  const child = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--db", join(tmp, "ledger.sqlite3")], {
    cwd: root,
    env: { ...process.env, BAMBOO_TOKEN: TOKEN, RUST_LOG: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`the server did not start in 60 s:\n${stderr}`)), 60_000);
    let buf = "";
    child.stdout.on("data", (d) => {
      buf += d;
      const m = buf.match(/serving (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); res({ child, url: m[1], stderr: () => stderr }); }
    });
    child.on("exit", (code) => { clearTimeout(timer); rej(new Error(`the server exited (${code}):\n${stderr}`)); });
  });
}


const server = await startServer();
console.log(`e2e: server at ${server.url}`);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const problems = [];
let exitCode = 0;
const started = Date.now();

/** A page at `width` px that records console errors, page errors and other origins. */
async function open(width, hash = "") {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  // The browser reports every non-2xx answer as a console error; the ones this test causes
  // on purpose (401 for a wrong token, 422 for a bad case file) are shown in the page.
  page.on("console", (m) => {
    if (m.type() === "error" && !/^Failed to load resource: the server responded with a status of (401|422|503)\b/.test(m.text())) {
      problems.push(`console (${width}px): ${m.text()}`);
    }
  });
  page.on("pageerror", (e) => problems.push(`page error (${width}px): ${e.message}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(server.url) && !r.url().startsWith("data:")) problems.push(`request to another origin: ${r.url()}`);
  });
  await page.goto(`${server.url}/${hash}`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  return { context, page };
}

const titleOf = (page, sel) => page.$eval(sel, (e) => e.querySelector("svg title")?.textContent || "").catch(() => "");

async function advise(page) {
  await page.click("#advise-btn");
  await page.waitForSelector("#advise-out .answer .choice", { timeout: 30_000 });
}

async function simulateSmall(page) {
  await page.fill("#sim-runs", "40");
  await page.fill("#sim-years", "10");
  await page.click("#sim-form button[type=submit]");
  await page.waitForSelector("#sim-out .minis svg", { timeout: 60_000 });
}

try {
  // --- Every width: layout, fit, accessibility, screenshots ---------------------------
  for (const width of [390, 768, 1440]) {
    const { context, page } = await open(width);
    await page.waitForFunction(() => ["#balance-chart", "#heat-chart", "#map-chart"].every((s) => document.querySelector(`${s} svg`)), null, { timeout: 60_000 });
    await advise(page);
    await page.waitForSelector("#advise-out .plan-timeline", { timeout: 30_000 });
    await simulateSmall(page);
    await page.fill("#compare", "IND, IDN");
    await page.dispatchEvent("#compare", "change");
    await page.waitForSelector("#compare-out .mini svg", { timeout: 30_000 });
    // The intervals as bands, and the roll calls behind a point: open for the checks below.
    await page.check("#ci");
    await page.waitForSelector("#balance-chart .ci-band .band", { timeout: 60_000 });
    await page.click('#balance-chart .hit[data-from="2019"]');
    await page.waitForSelector("#evidence .evidence-list tbody tr", { timeout: 30_000 });
    await page.click("#all-states summary");
    await page.click("#table-form button[type=submit]");
    await page.waitForSelector("#table-out table tbody tr", { timeout: 30_000 });
    await page.waitForSelector("#timeline li");
    const wide = await page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, iw: innerWidth }));
    if (wide.sw > wide.iw) fail(`at ${width}px the page is ${wide.sw}px wide, wider than the screen (${wide.iw}px)`);
    const misfits = await page.evaluate(() => [...document.querySelectorAll(".card svg")].filter((s) => !s.closest("figure")?.closest(".table-wrap")).map((s) => {
      const card = s.closest(".card").getBoundingClientRect();
      const r = s.getBoundingClientRect();
      return r.width && (r.left < card.left - 1 || r.right > card.right + 1) ? `${s.closest("[id]").id}: svg ${Math.round(r.left)}–${Math.round(r.right)} outside card ${Math.round(card.left)}–${Math.round(card.right)}` : null;
    }).filter(Boolean));
    if (misfits.length) fail(`at ${width}px charts overflow their card:\n${misfits.join("\n")}`);
    const charts = await page.locator(".card svg").count();
    // Text in the charts is at least 8 px high on screen (the simulation's was 5.5).
    const tiny = await page.evaluate(() => [...document.querySelectorAll("#sim-out svg text, #advise-out svg text")].filter((t) => t.getBoundingClientRect().height > 0 && t.getBoundingClientRect().height < 8).length);
    if (tiny) fail(`at ${width}px ${tiny} chart labels are under 8 px high`);
    await page.evaluate(axeSource);
    const axe = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
    });
    if (axe.length) fail(`axe-core at ${width}px:\n${axe.join("\n")}`);
    for (const id of ["alignment", "heatmap", "map", "advise", "simulate", "ledger", "glossary"]) {
      await page.locator(`#${id}`).screenshot({ path: join(out, `${id}-${width}.png`) });
    }
    await page.screenshot({ path: join(out, `top-${width}.png`) });
    console.log(`e2e: ${width}px: page ${wide.sw}px wide, ${charts} charts fit their cards, axe-core: no violation`);
    await context.close();
  }

  // --- Behaviour, at 1440 px -------------------------------------------------------------
  const { page } = await open(1440);
  const status = await page.textContent("#status");
  if (!/roll calls/.test(status)) fail(`status line: ${status}`);

  // Alignment: India, then Vietnam; the chart follows; the URL keeps the state.
  await page.selectOption("#country", "IND");
  await page.waitForFunction(() => document.querySelector("#balance-chart svg title")?.textContent.includes("India"));
  if (await page.inputValue("#from") !== "1946") fail(`India's span starts at ${await page.inputValue("#from")}, not 1946`);
  await page.selectOption("#country", "VNM");
  await page.waitForFunction(() => document.querySelector("#balance-chart svg title")?.textContent.includes("Vietnam (VNM)"));
  if (await page.inputValue("#from") !== "1977") fail(`Vietnam's span starts at ${await page.inputValue("#from")}`);
  const pills = await page.textContent("#reading");
  if (!/lean/.test(pills) || !/China/.test(pills) || !/UN median/.test(pills)) fail(`reading: ${pills}`);
  const lines = await page.locator("#balance-chart svg path").count();
  if (lines < 3) fail(`the balance chart has ${lines} paths`);
  if (!/country=VNM/.test(page.url()) || !/from=1977/.test(page.url())) fail(`the URL does not keep the view: ${page.url()}`);
  // Taiwan voted until 1971: its span follows, and its title is not "0-0".
  await page.selectOption("#country", "TWN");
  await page.waitForFunction(() => /Taiwan/.test(document.querySelector("#balance-chart svg title")?.textContent || ""));
  const twn = await titleOf(page, "#balance-chart");
  if (/0.0\b/.test(twn.replace(/\d{4}.\d{4}/, "")) || !/1946.1971/.test(twn)) fail(`Taiwan's chart title: ${twn}`);
  // A pole as the country: shown against the other two, no error.
  await page.selectOption("#country", "USA");
  await page.waitForFunction(() => /United States|US/.test(document.querySelector("#balance-chart svg title")?.textContent || ""));
  if (await page.locator("#balance-chart .notice.error, #reading .notice.error").count()) fail("choosing the United States gives an error");
  await page.waitForFunction(() => /itself a pole/.test(document.querySelector("#span-note").textContent), null, { timeout: 10_000 }).catch(() => fail("no note that the United States is a pole"));
  // Smoothing: the note says where a window is drawn.
  await page.selectOption("#country", "VNM");
  await page.selectOption("#by", "window:5");
  await page.waitForFunction(() => /drawn at its last year/.test(document.querySelector("#span-note").textContent));
  await page.selectOption("#by", "year");
  // Metric: ideal points.
  await page.selectOption("#metric", "ideal");
  await page.waitForFunction(() => /ideal/i.test(document.querySelector("#balance-chart svg title")?.textContent || ""), null, { timeout: 30_000 });
  await page.selectOption("#metric", "agreement");
  // Search by name.
  await page.fill("#country-search", "Brazil");
  await page.dispatchEvent("#country-search", "change");
  await page.waitForFunction(() => document.querySelector("#balance-chart svg title")?.textContent.includes("Brazil (BRA)"));
  await page.fill("#country-search", "Vietnm");
  await page.dispatchEvent("#country-search", "change");
  if (!/did you mean|No state/.test(await page.textContent("#search-msg"))) fail("a misspelt search gets no suggestion");
  await page.fill("#country-search", "");
  await page.selectOption("#country", "VNM");

  // Heatmap: one request per change, and the last change wins.
  const heatRequests = [];
  page.on("request", (r) => { if (r.url().includes("/api/chart/heatmap.svg")) heatRequests.push(r.url()); });
  await page.selectOption("#region", "all");
  await page.selectOption("#region", "Asia");
  await page.waitForFunction(() => /Asia/.test(document.querySelector("#heat-chart svg title")?.textContent || "") && document.querySelector("#heat-chart").getAttribute("aria-busy") === "false", null, { timeout: 60_000 });
  await page.waitForTimeout(1500);
  if (!/Asia/.test(await titleOf(page, "#heat-chart"))) fail(`after All then Asia the heatmap shows: ${await titleOf(page, "#heat-chart")}`);
  if (heatRequests.length !== 2) fail(`two region changes sent ${heatRequests.length} heatmap requests`);
  heatRequests.length = 0;
  await page.fill("#year", "2000");
  await page.dispatchEvent("#year", "change");
  await page.waitForFunction(() => /2000/.test(document.querySelector("#heat-chart svg title")?.textContent || ""), null, { timeout: 30_000 });
  await page.waitForTimeout(800);
  if (heatRequests.length !== 1) fail(`one year change sent ${heatRequests.length} heatmap requests`);

  // World map: Vietnam, Indonesia, Brazil and Germany coloured in 2021, Germany leans least;
  // on "toward", the first three lean to China and Germany to the United States.
  await page.$eval("#map-year", (e) => { e.value = "2021"; e.dispatchEvent(new Event("input", { bubbles: true })); });
  await page.waitForFunction(() => /Lean .*2021/.test(document.querySelector("#map-chart svg title")?.textContent || ""), null, { timeout: 30_000 });
  const fillsOf = () => page.$$eval("#map-chart svg path[data-id]", (els) => Object.fromEntries(
    els.filter((e) => ["VNM", "IDN", "BRA", "DEU"].includes(e.dataset.id)).map((e) => [e.dataset.id, e.getAttribute("fill")])));
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const lum = (hex) => rgb(hex).reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const lean = await fillsOf();
  for (const c of ["VNM", "IDN", "BRA", "DEU"]) {
    if (!/^#[0-9a-f]{6}$/.test(lean[c] || "")) fail(`map 2021, lean: ${c} is not coloured (${lean[c]})`);
  }
  if (!(lum(lean.DEU) < lum(lean.BRA) && lum(lean.BRA) < lum(lean.VNM))) fail(`map 2021, lean colours out of order: ${JSON.stringify(lean)}`);
  const dots = await page.locator("#map-chart svg circle[data-id]").count();
  if (dots < 28) fail(`the map shows ${dots} dots for small states`);
  await page.selectOption("#map-measure", "toward");
  await page.waitForFunction(() => /leaned toward .*2021/.test(document.querySelector("#map-chart svg title")?.textContent || ""), null, { timeout: 30_000 });
  const toward = await fillsOf();
  for (const c of ["VNM", "IDN", "BRA"]) {
    const [r, , b] = rgb(toward[c]);
    if (!(r > b)) fail(`map 2021, toward: ${c} is not in China's colours (${toward[c]})`);
  }
  { const [r, , b] = rgb(toward.DEU); if (!(b > r)) fail(`map 2021, toward: DEU is not in the United States' colours (${toward.DEU})`); }
  if (!/measure=toward/.test(page.url())) fail(`the URL does not keep the map's measure: ${page.url()}`);
  await page.click('#map-chart svg path[data-id="BRA"]');
  await page.waitForFunction(() => document.querySelector("#balance-chart svg title")?.textContent.includes("Brazil (BRA)"));
  console.log(`e2e: map 2021 lean ${JSON.stringify(lean)}, toward ${JSON.stringify(toward)}, ${dots} dots`);

  // Advice on the first sample case: choice, score bars, plan timeline with both leans.
  const caseTitle = await page.$eval("#case-pick", (s) => s.options[s.selectedIndex].text);
  await advise(page);
  const choice = (await page.textContent("#advise-out .answer .choice")).trim();
  if (!["yes", "no", "abstain"].includes(choice)) fail(`advice choice: ${choice}`);
  const adviceText = await page.textContent("#advise-out");
  if (adviceText.includes("`")) fail("raw backticks in the advice");
  if (!/Engine lean/.test(adviceText)) fail("the advice's lean is not named apart from the UN-vote lean");
  if (!await page.locator("#advise-out .terms .bar").count()) fail("no score bars");
  await page.waitForSelector("#advise-out .plan-timeline");
  const timeline = await page.$eval("#advise-out .plan-timeline", (e) => ({ paths: e.querySelectorAll("svg path").length, steps: e.querySelectorAll(".plan-steps li").length, text: e.textContent }));
  console.log(`e2e: advice on "${caseTitle}": ${choice}; plan timeline with ${timeline.steps} moves, ${timeline.paths} lean paths`);
  if (timeline.steps && timeline.paths < 2) fail("the plan timeline lacks the lean with and without the plan");
  if (/\bnull\b|undefined/.test(timeline.text)) fail(`the plan timeline prints null: ${timeline.text.slice(-200)}`);
  // A case with moves: the 2008 partnership with China is offset toward the United States.
  const idx = await page.$eval("#case-pick", (s) => [...s.options].findIndex((o) => /China/.test(o.text) && /partnership/i.test(o.text)));
  if (idx >= 0) {
    await page.selectOption("#case-pick", String(idx));
    await advise(page);
    await page.waitForSelector("#advise-out .plan-steps li", { timeout: 30_000 });
    const t = await page.$eval("#advise-out .plan-timeline", (e) => ({ paths: e.querySelectorAll("svg path").length, circles: e.querySelectorAll("svg circle").length }));
    if (t.paths < 2 || t.circles < 1) fail(`the plan timeline draws ${t.paths} paths and ${t.circles} moves`);
    await page.locator("#advise").screenshot({ path: join(out, "advise-plan-1440.png") });
  }
  // Edited text is not overwritten without asking.
  await page.fill("#case-text", "# my own case\n");
  await page.selectOption("#case-pick", "0");
  await page.waitForSelector("#case-guard .notice");
  if (await page.inputValue("#case-text") !== "# my own case\n") fail("the menu overwrote edited text");
  await page.click("#case-guard button:has-text('Keep')");
  if (await page.$eval("#case-pick", (s) => s.value) !== "edited") fail("the menu still names the sample after an edit");
  // Every error of a case file at once, each with its line.
  const bad = '[[case]]\nid = "a"\ndate = "2020-01-01"\nsubject = "VNM"\nkind = "un_vote"\ntitle = "x"\nsources = ["s"]\nbogus = 1\n\n[[case]]\nid = "b"\ndate = "2020-13-01"\nsubject = "VNM"\nkind = "un_vote"\ntitle = "y"\nsources = ["s"]\n';
  await page.fill("#case-text", bad);
  await page.click("#advise-btn");
  await page.waitForSelector("#case-errors li");
  const errs = await page.$$eval("#case-errors li", (l) => l.map((x) => x.textContent));
  if (errs.length !== 2 || !/^line 8/.test(errs[0]) || !/^line 12/.test(errs[1])) fail(`case file errors: ${JSON.stringify(errs)}`);
  const sel = await page.$eval("#case-text", (t) => t.value.slice(t.selectionStart, t.selectionEnd));
  if (sel !== "bogus = 1") fail(`the first error's line is not selected: ${sel}`);
  // Backtest of the whole file; a miss explains itself.
  await page.selectOption("#case-pick", "all");
  await page.waitForSelector("#case-guard .notice");
  await page.click("#case-guard button:has-text('Replace')");
  await page.click("#backtest-btn");
  await page.waitForSelector("#advise-out .score-head", { timeout: 30_000 });
  const score = await page.textContent("#advise-out .score-head .big");
  const why = page.locator("#advise-out button:has-text('why?')").first();
  if (await why.count()) {
    await why.click();
    await page.waitForFunction(() => /Chose/.test(document.querySelector("#advise-out tbody").textContent));
  }
  console.log(`e2e: backtest ${score}`);

  // Simulation: refuses what it cannot run, names doctrines, reads one doctrine plainly.
  const simRequests = [];
  page.on("request", (r) => { if (r.url().includes("/api/simulate")) simRequests.push(r.url()); });
  await page.$$eval("#sim-doctrines input", (l) => l.forEach((i) => { i.checked = false; }));
  await page.click("#sim-form button[type=submit]");
  await page.waitForSelector("#sim-out .notice.error");
  if (!/at least one doctrine/.test(await page.textContent("#sim-out"))) fail("no doctrine ticked is not refused");
  await page.check("#sim-doctrines input[value=vietnam]");
  await page.fill("#sim-runs", "999999");
  await page.click("#sim-form button[type=submit]");
  await page.waitForSelector("#sim-out .notice.error");
  { const t = await page.textContent("#sim-out"); if (!/runs must be/i.test(t)) fail(`999999 runs is not refused in the page: ${t}`); }
  if (simRequests.length) fail(`${simRequests.length} simulation requests for refused settings`);
  await simulateSmall(page);
  const simText = await page.textContent("#sim-out");
  if (/\b1 doctrines\b|best|most economic gain under/.test(simText)) fail(`one doctrine read as a comparison: ${simText.slice(0, 200)}`);
  if (/align-usa|bandwagon-china/.test(await page.textContent("#sim-out table"))) fail("the simulation table uses internal ids");
  if (!/runs=40/.test(page.url())) fail(`the URL does not keep the simulation: ${page.url()}`);

  // Steering the simulation: the world's parameters come with their ranges from the API;
  // a value out of range is refused in the page; a parameter changes the result; a sweep
  // draws one row and one point per value; all of it stays in the link.
  await page.waitForSelector("#sim-p-incident_rate");
  for (const name of ["polarisation", "volatility", "reaction", "coercion", "incident_rate"]) {
    if (!(await page.locator(`#sim-p-${name}`).count())) fail(`no control for the world parameter ${name}`);
  }
  const volRange = await page.$eval("#sim-p-volatility", (e) => `${e.min}..${e.max}`);
  if (volRange !== "0..0.5") fail(`volatility's range in the page is ${volRange}, not the API's 0..0.5`);
  const runSim = async (sel) => {
    await page.click("#sim-form button[type=submit]");
    await page.waitForSelector(`#sim-out ${sel}`, { timeout: 60_000 });
  };
  const incidentsCell = () => page.$$eval("#sim-out table.sim-table tbody tr", (rows) => rows.find((r) => /Incidents/.test(r.textContent))?.querySelector("td")?.textContent || "");
  const before = await incidentsCell();
  const requestsBefore = simRequests.length;
  await page.fill("#sim-p-volatility", "0.9");
  await runSim(".notice.error");
  { const t = await page.textContent("#sim-out"); if (!/volatility must be a number from 0 to 0.5/i.test(t)) fail(`volatility 0.9 is not refused in the page: ${t}`); }
  if (simRequests.length !== requestsBefore) fail("a simulation was requested with volatility out of range");
  await page.fill("#sim-p-volatility", "");
  await page.fill("#sim-p-incident_rate", "0");
  await runSim("table.sim-table");
  const after = await incidentsCell();
  if (!/^0\.0 \(0\.0–0\.0\)$/.test(after) || after === before) fail(`incident_rate = 0 did not change the incidents: before ${before}, after ${after}`);
  if (!/incident_rate\s*=\s*0/.test(await page.textContent("#sim-out"))) fail("the result does not say which parameter was set");
  if (!/set\.incident_rate=0/.test(page.url())) fail(`the URL does not keep the parameter: ${page.url()}`);
  await page.fill("#sim-p-incident_rate", "");
  await page.check("#sim-doctrines input[value=neutral]");
  await page.selectOption("#sim-sweep-param", "volatility");
  await page.fill("#sim-sweep-values", "0.05, 0.2, 0.4");
  await runSim("table.sweep-table");
  const sweepShape = await page.evaluate(() => ({
    values: [...new Set([...document.querySelectorAll("#sim-out .sweep-table tbody tr")].map((r) => r.dataset.value))],
    rows: document.querySelectorAll("#sim-out .sweep-table tbody tr").length,
    charts: document.querySelectorAll("#sim-out .sweep-chart").length,
    series: [...document.querySelectorAll("#sim-out .sweep-chart")].map((f) => [...f.querySelectorAll("g.series")].map((g) => g.querySelectorAll("circle").length)),
  }));
  if (sweepShape.values.join(",") !== "0.05,0.2,0.4" || sweepShape.rows !== 6) fail(`the sweep's table is not one row per value and doctrine: ${JSON.stringify(sweepShape)}`);
  if (!sweepShape.charts || sweepShape.series.some((s) => s.length !== 2 || s.some((n) => n !== 3))) fail(`the sweep's charts are not one series per doctrine with a point per value: ${JSON.stringify(sweepShape)}`);
  if (!/sweep=volatility/.test(page.url()) || !/sweep_values=0.05/.test(page.url())) fail(`the URL does not keep the sweep: ${page.url()}`);
  {
    await page.evaluate(axeSource);
    const axe = await page.evaluate(async () => (await window.axe.run("#simulate", { resultTypes: ["violations"] })).violations.map((v) => `${v.id}: ${v.help}`));
    if (axe.length) fail(`axe-core on the sweep:\n${axe.join("\n")}`);
  }
  const { page: p4, context: c4 } = await open(1440, "#runs=40&years=10&set.coercion=2.5&sweep=reaction&sweep_values=0.01,0.05");
  await p4.waitForSelector("#sim-p-coercion");
  const steer = await p4.evaluate(() => ({ coercion: document.querySelector("#sim-p-coercion").value, sweep: document.querySelector("#sim-sweep-param").value, values: document.querySelector("#sim-sweep-values").value }));
  if (steer.coercion !== "2.5" || steer.sweep !== "reaction" || steer.values !== "0.01,0.05") fail(`the permalink kept the steering as ${JSON.stringify(steer)}`);
  await c4.close();
  // Back to one simulation for the rest.
  await page.selectOption("#sim-sweep-param", "");
  await page.fill("#sim-sweep-values", "");

  // Ledger: seed sources link to their explanation; names become codes; typos get help.
  await page.waitForSelector("#timeline li");
  const seeded = await page.locator("#timeline li").count();
  if (seeded < 10) fail(`the seeded ledger shows ${seeded} events`);
  const seedLinks = await page.locator('#timeline a.seed[href^="#seed-00"]').count();
  if (!seedLinks) fail("no seed:00N source is linked");
  await page.click("#add-event summary");
  await page.fill("#event-form [name=date]", "2024-06-20");
  await page.selectOption("#event-kind", "visit");
  await page.fill("#event-form [name=actors]", "Vietnm, RUS");
  await page.fill("#event-form [name=title]", "e2e: state visit to Hanoi");
  await page.fill("#event-form [name=sources]", "e2e test source");
  await page.fill("#event-form [name=token]", TOKEN);
  await page.click("#event-form button[type=submit]");
  await page.waitForSelector("#event-out .notice.error");
  if (!/did you mean VNM/.test(await page.textContent("#event-out"))) fail(`a misspelt actor gets: ${await page.textContent("#event-out")}`);
  await page.fill("#event-form [name=actors]", "Vietnam, Russia");
  await page.fill("#event-form [name=token]", "wrong-token-wrong-token");
  await page.click("#event-form button[type=submit]");
  await page.waitForSelector("#event-out .notice.error >> text=Not allowed");
  await page.fill("#event-form [name=token]", TOKEN);
  await page.click("#event-form button[type=submit]");
  await page.waitForSelector("#event-out .notice.ok");
  await page.waitForFunction(() => [...document.querySelectorAll("#timeline li")].some((t) => t.textContent.includes("e2e: state visit") && t.textContent.includes("VNM") && t.textContent.includes("RUS")));

  // Evidence: a point of the balance chart lists the roll calls behind it, by keyboard or
  // click, with totals that are the point's figure; Escape closes; the URL keeps it; the
  // intervals are drawn as bands from the API's own interval fields.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.selectOption("#country", "VNM");
  await page.waitForFunction(() => /Vietnam \(VNM\)/.test(document.querySelector("#balance-chart svg title")?.textContent || "") && document.querySelector("#balance-chart .hit"), null, { timeout: 30_000 });
  await page.focus('#balance-chart .hit[tabindex="0"]');
  const lastYear = await page.$eval('#balance-chart .hit[tabindex="0"]', (h) => Number(h.dataset.from));
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("Enter");
  const picked = lastYear - 2;
  await page.waitForFunction((y) => document.querySelector("#evidence-h")?.textContent.includes(String(y)) && document.querySelector("#evidence .evidence-list tbody tr"), picked, { timeout: 30_000 });
  while (await page.locator("#evidence button:has-text('Show more'):visible").count()) {
    const before = await page.locator("#evidence .evidence-list tbody tr").count();
    await page.click("#evidence button:has-text('Show more')");
    await page.waitForFunction((n) => document.querySelectorAll("#evidence .evidence-list tbody tr").length > n, before);
  }
  const ev = await page.evaluate(async (y) => {
    const poles = ["USA", "CHN", "RUS"];
    const bal = await (await fetch(`/api/balance/VNM?from=${y}&to=${y}`)).json();
    const align = await (await fetch(`/api/align?a=VNM&b=${poles.join(",")}&from=${y}&to=${y}`)).json();
    const rows = [...document.querySelectorAll("#evidence .evidence-list tbody tr")];
    const score = (td) => (td.classList.contains("alike") ? 1 : td.classList.contains("half") ? 0.5 : td.classList.contains("opposite") ? 0 : null);
    return poles.map((p, k) => {
      const tr = document.querySelector(`#evidence .evidence-totals tr[data-country="${p}"]`);
      const cells = [...tr.querySelectorAll("td[data-value]")];
      const scores = rows.map((r) => score(r.querySelectorAll("td.vote")[k + 1])).filter((x) => x !== null);
      return {
        pole: p,
        shown: Number(cells[0].dataset.value),
        chart: Number(cells[cells.length - 1].dataset.value),
        balance: bal.rows[0].alignments[k].alignment,
        align: align.rows[0].with[k].agreement,
        fromRows: scores.reduce((a, x) => a + x, 0) / scores.length,
        n: Number(tr.querySelectorAll("td")[0].textContent),
        rows: scores.length,
        matched: Boolean(tr.querySelector(".ok-mark")),
      };
    });
  }, picked);
  for (const t of ev) {
    if (Math.abs(t.shown - t.balance) > 1e-12 || Math.abs(t.shown - t.align) > 1e-12 || Math.abs(t.chart - t.balance) > 1e-12) fail(`evidence ${picked}, ${t.pole}: totals ${t.shown}, chart ${t.chart}, /api/balance ${t.balance}, /api/align ${t.align}`);
    if (t.rows !== t.n || Math.abs(t.fromRows - t.shown) > 1e-9) fail(`evidence ${picked}, ${t.pole}: the ${t.rows} rows listed give ${t.fromRows}, the totals ${t.n} roll calls and ${t.shown}`);
    if (!t.matched) fail(`evidence ${picked}, ${t.pole}: the totals are not marked as the chart's point`);
  }
  if (!new RegExp(`point=${picked}\\b`).test(page.url())) fail(`the URL does not keep the point: ${page.url()}`);
  await page.locator("#alignment").screenshot({ path: join(out, "evidence-1440.png") });
  await page.keyboard.press("Escape");
  await page.waitForSelector("#evidence", { state: "hidden" });
  if (!await page.evaluate(() => document.activeElement?.classList.contains("hit"))) fail("Escape does not return the focus to the chart's point");
  if (/point=/.test(page.url())) fail(`the closed list stays in the URL: ${page.url()}`);
  console.log(`e2e: evidence ${picked}: ${ev.map((t) => `${t.pole} ${t.n} roll calls, ${t.shown.toFixed(3)}`).join("; ")}`);
  // A smoothed point is its window: the list covers the five years, and its totals are the window's.
  await page.selectOption("#by", "window:5");
  await page.waitForFunction(() => document.querySelector("#balance-chart .hit[data-to='2019']")?.dataset.from === "2015", null, { timeout: 30_000 });
  await page.click("#balance-chart .hit[data-to='2019']");
  await page.waitForFunction(() => /2015.2019/.test(document.querySelector("#evidence-h")?.textContent || "") && document.querySelector("#evidence .evidence-totals"), null, { timeout: 30_000 });
  const win = await page.evaluate(async () => {
    const bal = await (await fetch("/api/balance/VNM?from=2015&to=2019&by=window:5")).json();
    const tr = document.querySelector('#evidence .evidence-totals tr[data-country="USA"]');
    return { shown: Number(tr.querySelector("td[data-value]").dataset.value), want: bal.rows[0].alignments[0].alignment };
  });
  if (Math.abs(win.shown - win.want) > 1e-12) fail(`the 2015-2019 window's totals give ${win.shown}, the chart ${win.want}`);
  await page.click("#evidence button.close");
  await page.selectOption("#by", "year");
  // Bands: on with the toggle, one per pole, from the JSON's interval fields; off again.
  await page.check("#ci");
  await page.waitForSelector("#balance-chart .ci-band .band", { timeout: 60_000 });
  const bands = await page.evaluate(() => ({ n: document.querySelectorAll("#balance-chart .ci-band .band").length, fills: new Set([...document.querySelectorAll("#balance-chart .ci-band .band")].map((b) => b.getAttribute("fill"))).size, note: document.querySelector("#band-note").textContent }));
  if (bands.n < 3 || bands.fills < 3) fail(`the interval bands: ${JSON.stringify(bands)}`);
  if (!/90% bootstrap interval/.test(bands.note)) fail(`the bands are not explained: ${bands.note}`);
  if (!/ci=90/.test(page.url())) fail(`the URL does not keep the bands: ${page.url()}`);
  await page.uncheck("#ci");
  await page.waitForFunction(() => !document.querySelector("#balance-chart .ci-band") && document.querySelector("#balance-chart .hit"), null, { timeout: 30_000 });
  // The permalink brings both back.
  {
    const { page: p4, context: c4 } = await open(1440, "#country=VNM&point=2019&ci=90");
    await p4.waitForFunction(() => /2019/.test(document.querySelector("#evidence-h")?.textContent || "") && document.querySelector("#evidence .evidence-list tbody tr") && document.querySelector("#balance-chart .ci-band .band"), null, { timeout: 60_000 });
    if (!await p4.isChecked("#ci")) fail("the permalink's ci=90 does not tick the band toggle");
    await c4.close();
  }
  console.log(`e2e: bands ${bands.n} shapes in ${bands.fills} colours; the 2015-2019 window traced (${win.shown.toFixed(3)})`);

  // Permalinks: every view's state comes back; an unknown country says so.
  const { page: p2, context: c2 } = await open(1440, "#country=IND&from=1990&year=2000&region=Europe&measure=balance&runs=77");
  await p2.waitForFunction(() => /India/.test(document.querySelector("#balance-chart svg title")?.textContent || ""));
  const kept = await p2.evaluate(() => ({ from: document.querySelector("#from").value, year: document.querySelector("#year").value, region: document.querySelector("#region").value, measure: document.querySelector("#map-measure").value, runs: document.querySelector("#sim-runs").value }));
  if (kept.from !== "1990" || kept.year !== "2000" || kept.region !== "Europe" || kept.measure !== "balance" || kept.runs !== "77") fail(`the permalink kept ${JSON.stringify(kept)}`);
  if (!/1990/.test(await titleOf(p2, "#balance-chart")) || !/Europe/.test(await titleOf(p2, "#heat-chart"))) fail("the permalink's span or region is not drawn");
  await c2.close();
  const { page: p3, context: c3 } = await open(1440, "#country=XXX");
  if (!/no state `?XXX/i.test(await p3.textContent("#hash-msg"))) fail(`#country=XXX: ${await p3.textContent("#hash-msg")}`);
  await c3.close();

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(out, "dashboard.png"), fullPage: true });
  if (problems.length) fail(`problems in the page:\n${problems.join("\n")}`);
  console.log(`e2e: ok in ${((Date.now() - started) / 1000).toFixed(0)} s; screenshots in ${out}`);
} catch (e) {
  exitCode = 1;
  console.error(`e2e: FAILED: ${e.message}`);
  if (problems.length) console.error(problems.join("\n"));
  console.error(server.stderr().slice(-4000));
} finally {
  await browser.close();
  server.child.kill("SIGTERM");
  await new Promise((r) => server.child.once("exit", r));
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(exitCode);

