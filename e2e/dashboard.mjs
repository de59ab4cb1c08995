// End-to-end test of the dashboard: starts the real `bamboo serve` on a free loopback port
// with a fresh ledger, drives Debian's headless Chromium with playwright-core (no browser
// download), and checks what a person would do: pick a country and see its chart, read
// the heatmap and the world map (click a state to select it), get advice on a sample case,
// read and write the ledger. Screenshots go to
// $E2E_OUT (default: target/e2e/). Exits non-zero on the first failure.
//
// Environment: BAMBOO_BIN (the bamboo binary; default target/debug/bamboo), CHROMIUM
// (default /usr/bin/chromium), E2E_OUT.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
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
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // The browser reports every non-2xx answer as a console error; the one this test causes
  // on purpose (401 for a wrong token) is shown in the page.
  page.on("console", (m) => {
    if (m.type() === "error" && !/^Failed to load resource: the server responded with a status of 401\b/.test(m.text())) {
      problems.push(`console: ${m.text()}`);
    }
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(server.url) && !r.url().startsWith("data:")) problems.push(`request to another origin: ${r.url()}`);
  });

  await page.goto(`${server.url}/`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  const status = await page.textContent("#status");
  if (!/roll calls/.test(status)) fail(`status line: ${status}`);

  // Alignment: pick India, then Vietnam; the chart follows.
  await page.selectOption("#country", "IND");
  await page.waitForFunction(() => document.querySelector("#balance-chart svg title")?.textContent.includes("India"));
  await page.selectOption("#country", "VNM");
  await page.waitForFunction(() => document.querySelector("#balance-chart svg title")?.textContent.includes("Vietnam (VNM)"));
  const pills = await page.textContent("#reading");
  if (!/lean/.test(pills) || !/China/.test(pills)) fail(`reading: ${pills}`);
  const lines = await page.locator("#balance-chart svg path").count();
  if (lines < 3) fail(`the balance chart has ${lines} paths`);
  if (!page.url().endsWith("#country=VNM")) fail(`the URL does not keep the country: ${page.url()}`);

  // Heatmap for a region.
  await page.waitForFunction(() => document.querySelector("#heat-chart svg title")?.textContent.includes("Asia"));

  // World map: set the slider to 2021; Vietnam, Indonesia, Brazil and Germany are coloured
  // (not hatched), Germany leans least; on "toward", the first three lean to China and
  // Germany to the United States; the small states are dots; a click selects a country.
  await page.waitForFunction(() => document.querySelector("#map-chart svg title"), null, { timeout: 30_000 });
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
  await page.click('#map-chart svg path[data-id="BRA"]');
  await page.waitForFunction(() => document.querySelector("#balance-chart svg title")?.textContent.includes("Brazil (BRA)"));
  if (await page.$eval("#country", (s) => s.value) !== "BRA") fail("a click on Brazil did not select it");
  console.log(`e2e: map 2021 lean ${JSON.stringify(lean)}, toward ${JSON.stringify(toward)}, ${dots} dots`);
  await page.locator("#map").screenshot({ path: join(out, "map.png") });

  // Advice on the first sample case.
  const caseTitle = await page.$eval("#case-pick", (s) => s.options[s.selectedIndex].text);
  await page.click("#advise-btn");
  await page.waitForSelector("#advise-out .answer .choice", { timeout: 30_000 });
  const choice = await page.textContent("#advise-out .answer .choice");
  if (!["yes", "no", "abstain"].includes(choice.trim())) fail(`advice choice: ${choice}`);
  const plan = await page.locator("#advise-out .plan li").count();
  const explanation = await page.textContent("#advise-out .explanation");
  if (explanation.trim().length < 20) fail(`explanation: ${explanation}`);
  console.log(`e2e: advice on "${caseTitle}": ${choice.trim()} with ${plan} plan steps`);
  await page.locator("#advise").screenshot({ path: join(out, "advise.png") });

  // Backtest of the whole file.
  await page.selectOption("#case-pick", "all");
  await page.click("#backtest-btn");
  await page.waitForSelector("#advise-out .score-head", { timeout: 30_000 });
  const score = await page.textContent("#advise-out .score-head .big");
  console.log(`e2e: backtest ${score}`);

  // Simulation: a small run, its reading, the fan chart and the outcome table.
  await page.fill("#sim-runs", "100");
  await page.fill("#sim-years", "20");
  await page.click("#sim-form button[type=submit]");
  await page.waitForSelector("#sim-out figure svg", { timeout: 60_000 });
  const simCols = await page.locator("#sim-out .sim-table thead th").count();
  if (simCols < 3) fail(`the simulation table compares ${simCols - 1} doctrines`);

  // Ledger: the seed is listed; a new event needs the token.
  await page.waitForSelector("#timeline li");
  const seeded = await page.locator("#timeline li").count();
  if (seeded < 10) fail(`the seeded ledger shows ${seeded} events`);
  await page.click("#add-event summary");
  await page.fill("#event-form [name=date]", "2024-06-20");
  await page.selectOption("#event-kind", "visit");
  await page.fill("#event-form [name=actors]", "VNM, RUS");
  await page.fill("#event-form [name=title]", "e2e: state visit to Hanoi");
  await page.fill("#event-form [name=sources]", "e2e test source");
  await page.fill("#event-form [name=token]", "wrong-token-wrong-token");
  await page.click("#event-form button[type=submit]");
  await page.waitForSelector("#event-out .notice.error");
  await page.fill("#event-form [name=token]", TOKEN);
  await page.click("#event-form button[type=submit]");
  await page.waitForSelector("#event-out .notice.ok");
  await page.waitForFunction(() => [...document.querySelectorAll("#timeline .title")].some((t) => t.textContent.includes("e2e: state visit")));

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(out, "dashboard.png"), fullPage: true });
  await page.screenshot({ path: join(out, "top.png") });
  await page.locator("#alignment").screenshot({ path: join(out, "alignment.png") });
  for (const id of ["heatmap", "map", "simulate", "ledger"]) {
    await page.locator(`#${id}`).screenshot({ path: join(out, `${id}.png`) });
  }
  if (problems.length) fail(`problems in the page:\n${problems.join("\n")}`);
  console.log(`e2e: ok; screenshots in ${out}`);
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
