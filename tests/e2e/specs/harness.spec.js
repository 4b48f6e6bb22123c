'use strict';
// The harness's own guards, against a tiny page served by this process on 127.0.0.1 (no motcua needed): a
// request for another host is blocked and reported, axe flags a critical violation under a strict CSP, and the
// CSP check reads script-src (falling back to default-src).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

const { launchBrowser, cspProblem, isLoopback } = require('../lib/browser');

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>harness</title></head>
<body><main><h1>Harness</h1><img src="/pixel.svg"><img src="http://outside.invalid/x.png" alt=""></main></body></html>`;
const PIXEL = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>';

describe('harness', { timeout: 120_000 }, () => {
  let server;
  let url;
  let browser;

  before(async () => {
    server = http.createServer((req, res) => {
      // img-src is left open so that the outside image reaches the request routing (and is blocked there).
      res.setHeader('Content-Security-Policy', "default-src 'self'; img-src *; script-src 'self'");
      if (req.url === '/pixel.svg') {
        res.setHeader('Content-Type', 'image/svg+xml');
        res.end(PIXEL);
      } else {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(PAGE);
      }
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${server.address().port}`;
    browser = await launchBrowser();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await new Promise((resolve) => server.close(resolve));
  });

  it('blocks and reports requests that would leave 127.0.0.1', async () => {
    const s = await browser.newSession({ baseURL: url, name: 'harness-loopback' });
    try {
      await s.page.goto('/');
      await s.page.waitForLoadState('load');
      assert.deepEqual(s.blocked, ['http://outside.invalid/x.png']);
      assert.throws(() => s.assertClean(), /request outside 127\.0\.0\.1 \(blocked\): http:\/\/outside\.invalid/);
    } finally {
      await s.close();
    }
  });

  it('runs axe under a CSP without inline scripts and fails on a critical violation', async () => {
    const s = await browser.newSession({ baseURL: url, name: 'harness-axe' });
    try {
      await s.page.goto('/');
      await assert.rejects(() => s.checkPage('page with an image without alt'), /\[critical\] image-alt/);
      assert.deepEqual(s.cspViolations, [], 'injecting axe does not trip the page CSP');
    } finally {
      await s.close();
    }
  });

  it('judges Content-Security-Policy headers', () => {
    assert.equal(cspProblem({ 'content-security-policy': "default-src 'none'; script-src 'self'" }), null);
    assert.equal(cspProblem({ 'content-security-policy': "default-src 'self'" }), null);
    assert.match(cspProblem({}), /no Content-Security-Policy/);
    assert.match(cspProblem({ 'content-security-policy': "script-src 'self' 'unsafe-inline'" }), /unsafe-inline/);
    assert.match(cspProblem({ 'content-security-policy': "default-src 'unsafe-inline'" }), /unsafe-inline/);
    // style-src may allow inline styles; only scripts matter here.
    assert.equal(cspProblem({ 'content-security-policy': "script-src 'self'; style-src 'unsafe-inline'" }), null);
    assert.match(cspProblem({ 'content-security-policy': "style-src 'self'" }), /no script-src nor default-src/);
  });

  it('counts only 127.0.0.1 as loopback', () => {
    assert.ok(isLoopback('http://127.0.0.1:8080/x'));
    assert.ok(isLoopback('ws://127.0.0.1:1/'));
    for (const u of ['http://localhost/', 'https://example.org/', 'http://10.0.0.1/', 'data:text/plain,x', 'nonsense']) {
      assert.ok(!isLoopback(u), u);
    }
  });
});
