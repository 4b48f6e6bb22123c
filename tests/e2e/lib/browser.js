'use strict';
// Real Chromium for browser tests, through playwright-core.
//
//   const { launchBrowser } = require('../lib/browser');
//   const browser = await launchBrowser();                       // CHROMIUM_PATH, default /usr/bin/chromium
//   const s = await browser.newSession({ baseURL: server.url, name: 'public' });
//   await s.page.goto('/');
//   await s.checkPage('home');      // screenshot + axe (fails on serious/critical violations)
//   s.assertClean();                // no request left 127.0.0.1, no uncaught page error, no CSP violation
//   s.cspProblems();                // responses whose Content-Security-Policy is missing or allows inline script
//   await s.close(); await browser.close();
//
// Loopback only: every request of every page of a session goes through its request routing; anything not for
// 127.0.0.1 is aborted and recorded in s.blocked, which assertClean() reports. As a second guard Chromium's own
// host resolver maps every name but 127.0.0.1 to "not found".

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const ARTIFACTS_DIR = path.resolve(__dirname, '..', 'artifacts');
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];
const FAILING_IMPACTS = new Set(['serious', 'critical']);

let axeSource;

/** True when a URL may be requested: http(s) or ws(s) to 127.0.0.1 only. */
function isLoopback(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return ['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) && u.hostname === '127.0.0.1';
}

function slug(text) {
  return String(text)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

/** Parses a Content-Security-Policy value into { directive: [sources] } (first occurrence wins). */
function parseCsp(value) {
  const directives = {};
  for (const part of String(value).split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name && !(name.toLowerCase() in directives)) directives[name.toLowerCase()] = sources;
  }
  return directives;
}

/** What is wrong with one response's CSP for scripts, or null. script-src falls back to default-src. */
function cspProblem(headers) {
  const value = headers['content-security-policy'];
  if (!value) return 'no Content-Security-Policy header';
  const d = parseCsp(value);
  const scripts = d['script-src'] || d['default-src'];
  if (!scripts) return `no script-src nor default-src in "${value}"`;
  if (scripts.some((s) => s.toLowerCase() === "'unsafe-inline'")) return `script-src allows 'unsafe-inline': "${value}"`;
  return null;
}

/** A full-page PNG under artifacts/; returns its path. */
async function screenshot(page, file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Runs axe-core in the page and returns its results. The pages' CSP forbids inline scripts, so
 * page.addScriptTag (which inserts an inline <script>) is blocked; page.evaluate runs axe's source through the
 * DevTools protocol, which the page's CSP does not govern. So the page keeps its real CSP (no bypassCSP) and the
 * test still sees what the CSP would block for a real visitor.
 */
async function runAxe(page) {
  axeSource ??= fs.readFileSync(require.resolve('axe-core'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  return page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
}

/** The serious and critical violations of axe results, one readable line per element. */
function seriousViolations(results) {
  const lines = [];
  for (const v of results.violations) {
    if (!FAILING_IMPACTS.has(v.impact)) continue;
    for (const node of v.nodes) {
      lines.push(`[${v.impact}] ${v.id}: ${v.help} — ${node.target.join(' ')} ${node.html.slice(0, 200)}`);
    }
  }
  return lines;
}

class Session {
  constructor(context, page, name) {
    this.context = context;
    this.page = page;
    this.name = name;
    this.dir = path.join(ARTIFACTS_DIR, name);
    this.count = 0;
    this.blocked = []; // URLs aborted because they were not for 127.0.0.1
    this.responses = []; // { url, status, headers } of every response, in order
    this.pageErrors = []; // uncaught exceptions in pages
    this.cspViolations = []; // console reports of things the CSP blocked
    this.pending = [];
  }

  /** Screenshot and axe check of the current page; throws on serious or critical violations. */
  async checkPage(label) {
    await this.page.waitForLoadState('load');
    this.count += 1;
    const base = path.join(this.dir, `${String(this.count).padStart(2, '0')}-${slug(label)}`);
    await screenshot(this.page, `${base}.png`);
    const results = await runAxe(this.page);
    fs.writeFileSync(`${base}.axe.json`, JSON.stringify(results.violations, null, 2));
    const bad = seriousViolations(results);
    if (bad.length > 0) {
      throw new Error(`accessibility (${label}, ${this.page.url()}):\n  ${bad.join('\n  ')}`);
    }
    return results;
  }

  /** Responses (after all are recorded) whose CSP is missing or allows inline scripts. */
  async cspProblems() {
    await Promise.all(this.pending);
    const problems = new Set(); // one line per URL and problem, however often it was loaded
    for (const r of this.responses) {
      const problem = cspProblem(r.headers);
      if (problem) problems.add(`${r.status} ${r.url}: ${problem}`);
    }
    return [...problems];
  }

  /** Throws when a request tried to leave 127.0.0.1, a page threw, or the CSP blocked something. */
  assertClean() {
    const issues = [
      ...this.blocked.map((u) => `request outside 127.0.0.1 (blocked): ${u}`),
      ...this.pageErrors.map((e) => `uncaught page error: ${e}`),
      ...this.cspViolations.map((e) => `CSP violation: ${e}`),
    ];
    if (issues.length > 0) throw new Error(`session ${this.name}:\n  ${issues.join('\n  ')}`);
  }

  async close() {
    await Promise.allSettled(this.pending);
    await this.context.close();
  }
}

/** Launches Chromium (CHROMIUM_PATH or /usr/bin/chromium) headless with the project's flags. */
async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
  return {
    browser,
    /**
     * A fresh context (own cookies) with one page, loopback-only routing and recorders.
     * options: baseURL, name (artifact folder), locale (default vi-VN), plus any Playwright context options.
     */
    async newSession({ name = 'session', locale = 'vi-VN', ...contextOptions } = {}) {
      const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 }, ...contextOptions });
      const page = await context.newPage();
      const s = new Session(context, page, slug(name));
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (isLoopback(url)) return route.continue();
        s.blocked.push(url);
        return route.abort('blockedbyclient');
      });
      await context.routeWebSocket(/.*/, (ws) => {
        if (isLoopback(ws.url())) {
          ws.connectToServer();
        } else {
          s.blocked.push(ws.url());
          ws.close({ code: 1008, reason: 'loopback only' });
        }
      });
      context.on('response', (response) => {
        const url = response.url();
        if (!isLoopback(url)) return;
        const recorded = response
          .allHeaders()
          .then((headers) => s.responses.push({ url, status: response.status(), headers }))
          .catch(() => s.responses.push({ url, status: response.status(), headers: response.headers() }));
        s.pending.push(recorded);
      });
      context.on('page', (p) => watch(p, s));
      watch(page, s);
      return s;
    },
    close: () => browser.close(),
  };
}

const watched = new WeakSet();

function watch(page, s) {
  if (watched.has(page)) return;
  watched.add(page);
  page.on('pageerror', (e) => s.pageErrors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) s.cspViolations.push(`${page.url()}: ${m.text()}`);
  });
}

module.exports = {
  launchBrowser,
  runAxe,
  seriousViolations,
  screenshot,
  cspProblem,
  parseCsp,
  isLoopback,
  CHROMIUM_FLAGS,
  ARTIFACTS_DIR,
};
