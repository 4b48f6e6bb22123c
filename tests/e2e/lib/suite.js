'use strict';
// One spec's motcua server and Chromium, started before its tests and closed after them, and a fresh browser
// session (own cookies) per test:
//
//   const suite = useSuite('staff');          // inside describe(): registers the before/after hooks
//   await suite.withSession('counter', async (s) => { … });   // artifacts/staff-counter/
//   fetch(`${suite.server.url}/api/v1/…`);

const { before, after } = require('node:test');

const { startServer } = require('./server');
const { launchBrowser } = require('./browser');

function useSuite(name) {
  let server;
  let browser;
  const sessions = [];

  before(
    async () => {
      server = await startServer({ name });
      browser = await launchBrowser();
    },
    { timeout: 15 * 60_000 }, // the first `cargo build` may take a while
  );

  after(async () => {
    await Promise.allSettled(sessions.map((s) => s.close()));
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  return {
    get server() {
      return server;
    },
    get browser() {
      return browser;
    },
    /** A fresh browser context (own cookies) for one test; checked for stray requests and page errors after it. */
    async withSession(sessionName, fn) {
      const s = await browser.newSession({ baseURL: server.url, name: `${name}-${sessionName}` });
      sessions.push(s);
      await fn(s);
      s.assertClean();
    },
  };
}

module.exports = { useSuite };
