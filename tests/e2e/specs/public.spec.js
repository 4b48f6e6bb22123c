'use strict';
// The public pages: catalogue search, a procedure page, the language switch, tracking by code, and the security
// headers of every response. Every page visited is screenshot and checked with axe (artifacts/public-*/).

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');

const { useSuite } = require('../lib/suite');

const BIRTH_REGISTRATION = 'Đăng ký khai sinh';

describe('public pages', { timeout: 20 * 60_000 }, () => {
  const suite = useSuite('public');
  const { withSession } = suite;

  it('home page is in Vietnamese; searching "khai sinh" finds the birth registration and its page', async () => {
    await withSession('search', async (s) => {
      const { page } = s;
      const home = await page.goto('/');
      assert.equal(home.status(), 200);
      assert.equal(await page.getAttribute('html', 'lang'), 'vi');
      assert.ok(await page.locator('h1').first().isVisible(), 'the home page has a visible h1');
      await s.checkPage('home');

      // The search box is found by its label, as a screen reader user would.
      const input = page.locator('input[name="q"]');
      const id = await input.getAttribute('id');
      assert.ok(id, 'the search input has an id');
      assert.equal(await page.locator(`label[for="${id}"]`).count(), 1, 'the search input has a <label for>');
      await page.getByLabel(await page.locator(`label[for="${id}"]`).innerText()).fill('khai sinh');
      await Promise.all([page.waitForURL(/[?&]q=/), page.locator('form:has(input[name="q"]) [type="submit"]').click()]);
      assert.match(decodeURIComponent(new URL(page.url()).search.replace(/\+/g, ' ')), /q=khai sinh/);
      await s.checkPage('search khai sinh');

      const link = page.locator('a[href^="/thu-tuc/"]', { hasText: new RegExp(`^\\s*${BIRTH_REGISTRATION}\\s*$`, 'i') });
      assert.ok((await link.count()) >= 1, `the results list a link "${BIRTH_REGISTRATION}"`);
      const href = await link.first().getAttribute('href');

      const [procedure] = await Promise.all([page.waitForNavigation(), link.first().click()]);
      assert.equal(procedure.status(), 200);
      assert.equal(new URL(page.url()).pathname, href);
      const h1 = page.locator('h1');
      assert.equal(await h1.count(), 1, 'the procedure page has one h1');
      assert.match(await h1.innerText(), new RegExp(BIRTH_REGISTRATION, 'i'));
      assert.equal(await page.getAttribute('html', 'lang'), 'vi');
      await s.checkPage('procedure page');
    });
  });

  it('the language switch turns the page to English, is remembered, and switches back', async () => {
    await withSession('language', async (s) => {
      const { page } = s;
      await page.goto('/');
      assert.equal(await page.getAttribute('html', 'lang'), 'vi');
      const viHeading = await page.locator('h1').innerText();

      await Promise.all([page.waitForNavigation(), page.locator('a[href*="lang=en"]').first().click()]);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.notEqual(await page.locator('h1').innerText(), viHeading, 'the heading is translated');
      await s.checkPage('home en');

      // The choice is kept (cookie) on the next page without ?lang.
      await page.goto('/tra-cuu');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await s.checkPage('tracking form en');

      await Promise.all([page.waitForNavigation(), page.locator('a[href*="lang=vi"]').first().click()]);
      assert.equal(await page.getAttribute('html', 'lang'), 'vi');
      await page.goto('/');
      assert.equal(await page.getAttribute('html', 'lang'), 'vi');
      assert.equal(await page.locator('h1').innerText(), viHeading);
    });
  });

  it('tracking with an unknown code shows an error message, not a crash', async () => {
    await withSession('tracking', async (s) => {
      const { page } = s;
      const form = await page.goto('/tra-cuu');
      assert.equal(form.status(), 200);
      for (const name of ['ma', 'id']) {
        const fieldId = await page.locator(`input[name="${name}"]`).getAttribute('id');
        assert.ok(fieldId, `input ${name} has an id`);
        assert.equal(await page.locator(`label[for="${fieldId}"]`).count(), 1, `input ${name} has a <label for>`);
      }
      await s.checkPage('tracking form');

      await page.fill('input[name="ma"]', 'KHONG-CO-HO-SO-NAY');
      await page.fill('input[name="id"]', '001099000000');
      const [answer] = await Promise.all([
        page.waitForNavigation(),
        page.locator('form:has(input[name="ma"]) [type="submit"]').click(),
      ]);
      assert.ok(answer.status() < 500, `tracking answered ${answer.status()}`);
      const alert = page.locator('[role="alert"]');
      await alert.first().waitFor({ state: 'visible', timeout: 5_000 });
      assert.ok((await alert.first().innerText()).trim().length > 0, 'the error message has text');
      // The form stays, filled in, so the visitor can correct it.
      assert.equal(await page.inputValue('input[name="ma"]'), 'KHONG-CO-HO-SO-NAY');
      await s.checkPage('tracking not found');
    });
  });

  it('the published statistics: a row per agency and a total, another month by the form, a workbook', async () => {
    await withSession('statistics', async (s) => {
      const { page } = s;
      await page.goto('/');
      await Promise.all([page.waitForNavigation(), page.locator('nav a[href="/thong-ke-cong-khai"]').click()]);
      assert.ok((await page.locator('table.public-stats tbody tr').count()) > 2, 'a row per agency');
      assert.match(await page.locator('tr[data-k="total"]').innerText(), /^Tổng cộng\s+\d+/);
      await s.checkPage('statistics');
      await page.getByLabel('Cơ quan').selectOption('000.00.20.H26');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Xem' }).click()]);
      assert.equal(await page.locator('table.public-stats tbody tr').count(), 3, 'the department and its units');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('a', { hasText: 'Tải về Excel' }).click(),
      ]);
      assert.match(download.suggestedFilename(), /^thong-ke_000-00-20-H26_\d{4}-\d{2}\.xlsx$/);
      // The one-stop shop's monthly report of the same agency and month, as the PDF it files.
      const [report] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('a', { hasText: 'Tải báo cáo tháng (PDF)' }).click(),
      ]);
      assert.match(report.suggestedFilename(), /^bao-cao-thang_000-00-20-H26_\d{4}-\d{2}\.pdf$/);
      const pdf = require('node:fs').readFileSync(await report.path());
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      await page.getByLabel('Tháng').fill('11/2026');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Xem' }).click()]);
      assert.equal(await page.locator('#f-thang').getAttribute('aria-invalid'), 'true');
      await s.checkPage('statistics bad month');
    });
  });

  it('works by keyboard alone: the skip link comes first and leads to the content', async () => {
    await withSession('keyboard', async (s) => {
      const { page } = s;
      await page.goto('/');
      await page.keyboard.press('Tab');
      const first = await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('href'));
      assert.equal(first, '#main', 'the first Tab stop is the skip link');
      // The hash change lands after the key press returns: wait for it rather than read the URL at once.
      await Promise.all([page.waitForURL(/#main$/), page.keyboard.press('Enter')]);
      // Tab on through the page: every stop is visible and the search form is reached without a mouse.
      let reachedSearch = false;
      for (let i = 0; i < 25 && !reachedSearch; i += 1) {
        await page.keyboard.press('Tab');
        reachedSearch = await page.evaluate(() => document.activeElement && document.activeElement.name === 'q');
      }
      assert.ok(reachedSearch, 'the search box is reachable with Tab');
      await page.keyboard.type('khai sinh');
      await Promise.all([page.waitForURL(/[?&]q=/), page.keyboard.press('Enter')]);
      assert.ok((await page.locator('a[href^="/thu-tuc/"]').count()) >= 1, 'Enter searched');
    });
  });

  it('fits a 360 px phone: no page scrolls sideways', async () => {
    await withSession('phone', async (s) => {
      const { page } = s;
      await page.setViewportSize({ width: 360, height: 740 });
      for (const path of ['/', '/thu-tuc/1.001612', '/tra-cuu', '/dang-nhap', '/can-bo/dang-nhap']) {
        await page.goto(path);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 360, `${path} is ${width} px wide at 360 px`);
      }
      await s.checkPage('staff sign-in at 360 px');
    });
  });

  it('every response carries a Content-Security-Policy without unsafe-inline scripts', async () => {
    await withSession('csp', async (s) => {
      const { page } = s;
      for (const path of ['/', '/?q=khai+sinh', '/thu-tuc/1.001193', '/tra-cuu', '/tra-cuu?ma=X&id=1', '/?lang=en']) {
        await page.goto(path);
        await page.waitForLoadState('load');
      }
      // A page that does not exist is a page too.
      const missing = await page.goto('/thu-tuc/khong-co-thu-tuc-nay');
      assert.equal(missing.status(), 404);
      await s.checkPage('procedure not found');

      const problems = await s.cspProblems();
      assert.ok(s.responses.length >= 7, `responses recorded: ${s.responses.length}`);
      assert.deepEqual(problems, [], `responses without a strict CSP:\n  ${problems.join('\n  ')}`);
    });
  });
});
