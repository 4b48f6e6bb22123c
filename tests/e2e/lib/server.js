'use strict';
// Starts and stops a throwaway `motcua serve --demo` for browser tests.
//
//   const { startServer } = require('../lib/server');
//   const server = await startServer();      // builds motcua-api, picks a free loopback port, waits for /readyz
//   server.url                               // http://127.0.0.1:<port>
//   await server.stop();                     // SIGTERM, then SIGKILL; removes its temp data dir
//
// Each server gets a fresh temp MOTCUA_DATA_DIR with its SQLite database inside, runs from the repo root (it reads
// procedures/ relative to the working dir) and logs to artifacts/<name>-server.log. The demo's simulators try
// fixed ports first and fall back to free ones, so two servers can run side by side.

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const E2E_DIR = path.resolve(__dirname, '..');
const REPO_ROOT = path.resolve(E2E_DIR, '..', '..');
const ARTIFACTS_DIR = path.join(E2E_DIR, 'artifacts');

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;

/** The debug binary built by `cargo build -p motcua-api` (honours CARGO_TARGET_DIR, relative to the repo root). */
function binaryPath() {
  const targetDir = path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR || 'target');
  return path.join(targetDir, 'debug', 'motcua');
}

let built = false;

/** `cargo build -p motcua-api`, once per test process. MOTCUA_E2E_SKIP_BUILD=1 uses the binary as it is. */
function buildServer() {
  if (built || process.env.MOTCUA_E2E_SKIP_BUILD === '1') return;
  const args = ['build', '-p', 'motcua-api'];
  if (process.env.CI === 'true' || process.env.CI === '1') args.push('--locked');
  const result = spawnSync('cargo', args, { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) throw new Error(`cargo ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`cargo ${args.join(' ')} failed with status ${result.status}`);
  built = true;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Servers still running when the test process ends (a crash, an uncaught error) are killed on the way out.
// So is a test process interrupted by a signal (Ctrl-C, the runner's timeout).
const running = new Map(); // child process -> its temp data dir
function killAll() {
  for (const [child, dataDir] of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
process.on('exit', killAll);
for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.once(signal, () => {
    killAll();
    process.exit(status);
  });
}

async function waitReady(url, child, exited, deadline) {
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited.value) throw new Error(`motcua exited early (${exited.value}); last check: ${last}`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (e) {
      last = e.cause?.code || e.message;
    }
    await sleep(250);
  }
  throw new Error(`motcua not ready at ${url}/readyz within ${READY_TIMEOUT_MS} ms; last check: ${last}`);
}

/**
 * Builds the binary and starts `motcua serve --demo` on a free loopback port.
 * options.name: names the log file (artifacts/<name>-server.log); options.args: extra serve arguments;
 * options.env: extra environment.
 */
async function startServer(options = {}) {
  const name = options.name || 'server';
  buildServer();
  const bin = binaryPath();
  if (!fs.existsSync(bin)) throw new Error(`no motcua binary at ${bin}`);
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const logPath = path.join(ARTIFACTS_DIR, `${name}-server.log`);

  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-e2e-'));
    const log = fs.openSync(logPath, attempt === 1 ? 'w' : 'a');
    const child = spawn(bin, ['serve', '--demo', '--bind', `127.0.0.1:${port}`, ...(options.args || [])], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        MOTCUA_DATA_DIR: dataDir,
        DATABASE_URL: `sqlite://${path.join(dataDir, 'motcua.db')}`,
        MOTCUA_PUBLIC_URL: url,
        ...(options.env || {}),
      },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    const exited = { value: null };
    const gone = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        exited.value = signal ? `signal ${signal}` : `status ${code}`;
        running.delete(child);
        resolve();
      });
    });
    child.on('error', (e) => {
      exited.value = e.message;
    });
    running.set(child, dataDir);

    const stop = async () => {
      if (exited.value === null) {
        child.kill('SIGTERM');
        await Promise.race([gone, sleep(STOP_TIMEOUT_MS)]);
        if (exited.value === null) {
          child.kill('SIGKILL');
          await gone;
        }
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    };

    try {
      await waitReady(url, child, exited, Date.now() + READY_TIMEOUT_MS);
      return { url, port, dataDir, logPath, stop, process: child };
    } catch (e) {
      lastError = e;
      await stop();
      const text = fs.readFileSync(logPath, 'utf8');
      // Somebody took the port between our check and the server's bind: try another one.
      if (!/cannot listen on/.test(text)) break;
    }
  }
  const tail = fs.readFileSync(logPath, 'utf8').split('\n').slice(-30).join('\n');
  throw new Error(`${lastError.message}\n---- ${logPath} (tail) ----\n${tail}`);
}

module.exports = { startServer, freePort, buildServer, binaryPath, REPO_ROOT, ARTIFACTS_DIR };
