'use strict';
// Signing in through the pages, as a person would: staff through the sign-in form (found by its labels),
// citizens through the chooser and the identity simulator's page.

const assert = require('node:assert/strict');

/** The password of every demo staff account. */
const DEMO_PASSWORD = 'motcua-demo';

/**
 * Signs a demo staff account in through the staff sign-in form and waits until the form is left. With
 * `{ home: true }`, it must land on the work home (`/can-bo`, "Việc của tôi").
 */
async function signInStaff(page, username, { home = false } = {}) {
  await page.goto('/can-bo/dang-nhap');
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
  const left = home ? /\/can-bo$/ : (url) => !url.pathname.endsWith('/dang-nhap');
  await Promise.all([page.waitForURL(left), page.getByRole('button', { name: 'Đăng nhập' }).click()]);
  if (home) assert.equal(await page.locator('h1').innerText(), 'Việc của tôi');
}

/**
 * From a page that needs her, through the chooser and the identity provider's page, back to `/cong-dan`; each
 * page on the way is checked. `citizen` is `{ id, name }` of a demo citizen.
 */
async function signInCitizen(s, citizen) {
  const { page } = s;
  await page.goto('/cong-dan');
  assert.equal(new URL(page.url()).pathname, '/dang-nhap', 'sent to sign in');
  await s.checkPage('sign-in chooser');
  await Promise.all([page.waitForURL(/\/authorize\?/), page.locator('a[href^="/api/v1/auth/citizen/start"]').click()]);
  await s.checkPage('identity provider');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/cong-dan', { timeout: 15_000 }),
    page.locator(`a[href$="login_hint=${citizen.id}"]`).click(),
  ]);
  assert.match(await page.locator('header').innerText(), new RegExp(citizen.name));
  await s.checkPage('my dossiers');
}

module.exports = { DEMO_PASSWORD, signInStaff, signInCitizen };
