'use strict';
// The leaders' dashboard and the administration pages: a leader opens the dashboard (SVG charts and the tables
// beside them); the administrator adds an agency after a refused attempt, uploads a procedure definition with
// errors, sees every problem, fixes it in the page and publishes it; the staff, calendar and outbox pages. Every
// page visited is screenshot and checked with axe (artifacts/admin-*/).

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { useSuite } = require('../lib/suite');
const { signInStaff } = require('../lib/sign-in');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const HOUSEHOLD_BUSINESS = path.join(REPO_ROOT, 'procedures', '1.001612-household-business-registration.toml');

describe('dashboard and administration', { timeout: 20 * 60_000 }, () => {
  const suite = useSuite('admin');
  const { withSession } = suite;

  /** Clicks a submit button and waits for the page it leads to. */
  async function submit(page, button) {
    await Promise.all([page.waitForNavigation(), button.click()]);
  }

  it('a leader opens the dashboard: charts and the table of figures', async () => {
    await withSession('leader', async (s) => {
      const { page } = s;
      await signInStaff(page, 'hongbang.lanhdao');
      const link = page.locator('nav a[href="/can-bo/thong-ke"]');
      assert.equal(await link.count(), 1, 'the navigation offers the dashboard to a leader');
      await submit(page, link);
      assert.equal(await page.locator('h1').count(), 1);
      const charts = page.locator('svg[role="img"]');
      assert.equal(await charts.count(), 2, 'two charts');
      assert.ok(await charts.first().isVisible(), 'the chart is visible');
      assert.match(await charts.first().locator('title').textContent(), /Tình hình giải quyết/);
      const table = page.locator('table.figures');
      assert.ok(await table.isVisible(), 'the table is visible');
      const received = Number(await page.locator('tr[data-agency="000.31.01.H26"] td[data-k="received"]').innerText());
      assert.ok(received > 0, 'the demo dossiers are counted');
      assert.equal(await page.locator('tr[data-agency="000.31.02.H26"]').count(), 0, 'only the leader\'s agency');
      await s.checkPage('dashboard');

      // On a 360 px phone: nothing wider than the screen (the table scrolls inside its frame).
      await page.setViewportSize({ width: 360, height: 800 });
      await page.reload();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 360, `the page is ${overflow}px wide`);
      assert.ok(await charts.first().isVisible());
      await s.checkPage('dashboard 360px');
      await page.setViewportSize({ width: 1280, height: 800 });

      // A bad date keeps the input and names the field.
      await page.goto('/can-bo/thong-ke?tu=2026-02-31');
      assert.equal(await page.locator('#f-tu').getAttribute('aria-invalid'), 'true');
      await s.checkPage('dashboard bad date');

      // The leader is not an administrator.
      const refused = await page.goto('/quan-tri');
      assert.equal(refused.status(), 403);
      await s.checkPage('administration refused');
    });
  });

  it('a leader opens the Decision 766 scorecard and follows a lost point to the dossiers behind it', async () => {
    await withSession('scorecard', async (s) => {
      const { page } = s;
      await signInStaff(page, 'hongbang.lanhdao');
      const link = page.locator('nav a[href="/can-bo/diem-766"]');
      assert.equal(await link.count(), 1, 'the navigation offers the scorecard to a leader');
      await submit(page, link);
      assert.match(await page.locator('.score').innerText(), /Tổng điểm: \d+,\d\d/);
      assert.equal(await page.locator('tr[data-indicator]').count(), 17, 'every indicator');
      const trend = page.locator('svg[role="img"]');
      assert.equal(await trend.count(), 1, 'the trend chart');
      assert.ok(await trend.isVisible());
      assert.equal(await trend.locator('rect').count(), 12, 'a bar per month');
      await s.checkPage('scorecard');

      // The figures in detail, by field: a row per field, and the table downloads as a workbook.
      await submit(page, page.locator('nav.admin-tabs a', { hasText: 'Lĩnh vực' }));
      assert.equal(await page.locator('nav.admin-tabs a[aria-current="page"]').innerText(), 'Lĩnh vực');
      assert.ok((await page.locator('table.detail tbody tr').count()) > 0, 'a row per field');
      await s.checkPage('scorecard by field');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('section:has(#detail-title) a', { hasText: 'Tải về Excel' }).click(),
      ]);
      assert.match(download.suggestedFilename(), /^diem-766-theo-field.*\.xlsx$/);
      const bytes = require('node:fs').readFileSync(await download.path());
      assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a zipped workbook');

      // The ratings of "not satisfied", with the applicants' comments.
      await submit(page, page.locator('a[href^="/can-bo/diem-766/danh-gia-thap"]'));
      assert.equal(await page.locator('h1').innerText(), 'Đánh giá không hài lòng');
      await s.checkPage('scorecard low ratings');
      await page.goBack();

      // The keyboard reaches the first lost point's link, which lists the dossiers behind it.
      const lost = page.locator('a[href^="/can-bo/diem-766/mat-diem"]').first();
      const count = Number((await lost.innerText()).split(':').pop());
      assert.ok(count > 0);
      await lost.focus();
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      assert.equal(await page.locator('table tbody tr').count(), Math.min(count, 50));
      await s.checkPage('scorecard lost points');
      await Promise.all([page.waitForNavigation(), page.locator('tbody a').first().click()]);
      assert.match(page.url(), /\/can-bo\/ho-so\//, 'each dossier opens its page');

      // A period that is none names the field.
      await page.goto('/can-bo/diem-766?ky=2026-13');
      assert.equal(await page.locator('#f-ky').getAttribute('aria-invalid'), 'true');
      await s.checkPage('scorecard bad period');
    });
  });

  it('the administrator adds an agency, then publishes a procedure definition after fixing its errors', async () => {
    await withSession('admin', async (s) => {
      const { page } = s;
      await signInStaff(page, 'admin');
      // The administrator's dashboard covers every agency, with a chart per agency too.
      await page.goto('/can-bo/thong-ke');
      assert.equal(await page.locator('svg[role="img"]').count(), 3);
      assert.ok((await page.locator('table.figures tbody tr').count()) > 2, 'a line per agency');
      await s.checkPage('dashboard every agency');
      await page.goto('/quan-tri');
      await s.checkPage('administration');

      // The figures held outside: entered per agency and month, refused with the field named when not a number.
      await page.goto('/can-bo/diem-766/nhap-so-lieu');
      await page.getByLabel('Đạt').fill('nhiều');
      await page.getByLabel('Tổng số').fill('10');
      await submit(page, page.getByRole('button', { name: 'Lưu số liệu' }));
      assert.equal(await page.locator('#f-numerator').getAttribute('aria-invalid'), 'true');
      await s.checkPage('figures held outside refused');
      await page.getByLabel('Đạt').fill('9');
      await submit(page, page.getByRole('button', { name: 'Lưu số liệu' }));
      assert.match(await page.locator('.notice').innerText(), /Đã lưu: .* 9\/10/);
      await s.checkPage('figures held outside saved');

      // Agencies: a refused form keeps what was typed; the fixed one adds the agency.
      await page.goto('/quan-tri/co-quan');
      await s.checkPage('agencies');
      await page.locator('#f-id').fill('31.09');
      await page.locator('#f-name').fill('Ủy ban nhân dân phường Thử Nghiệm');
      await page.locator('#f-level').selectOption('commune');
      await page.locator('#f-kind').selectOption('commune_peoples_committee');
      await submit(page, page.getByRole('button', { name: 'Thêm cơ quan' }));
      assert.equal(await page.locator('#f-id').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('#f-name').inputValue(), 'Ủy ban nhân dân phường Thử Nghiệm', 'input kept');
      assert.ok(await page.locator('#e-id').isVisible(), 'the error is next to its field');
      await s.checkPage('agency refused');
      await page.locator('#f-id').fill('000.31.09.H26');
      await submit(page, page.getByRole('button', { name: 'Thêm cơ quan' }));
      assert.match(await page.locator('[role="status"]').innerText(), /000\.31\.09\.H26/);
      assert.ok(await page.locator('td', { hasText: '000.31.09.H26' }).count() >= 1);

      // Staff and roles; the calendar.
      await page.goto('/quan-tri/can-bo');
      assert.ok(await page.locator('th', { hasText: 'hongbang.tiepnhan' }).count() >= 1);
      await s.checkPage('staff');
      await page.goto('/quan-tri/lich?nam=2027');
      assert.match(await page.locator('.facts').innerText(), /07:30–11:30/);
      await s.checkPage('calendar');

      // Procedures: a definition with errors lists every problem and is kept in the text area.
      await page.goto('/quan-tri/thu-tuc');
      await s.checkPage('procedures');
      const original = fs.readFileSync(HOUSEHOLD_BUSINESS, 'utf8');
      const current = Number(await page.locator('tr[data-code="1.001612"] td[data-k="version"]').innerText());
      const next = current + 1;
      const fixed = original.replace(/^version = \d+$/m, `version = ${next}`);
      const broken = fixed.replace(/^level = .*$/m, 'level = "district"');
      await page.locator('#f-definition').setInputFiles({
        name: 'ho-kinh-doanh.toml',
        mimeType: 'application/toml',
        buffer: Buffer.from(broken, 'utf8'),
      });
      await submit(page, page.getByRole('button', { name: 'Kiểm tra và công bố' }));
      const problems = page.locator('.problems li');
      assert.ok((await problems.count()) >= 1, 'the problems are listed');
      assert.match(await page.locator('.problems').innerText(), /unknown_level/);
      assert.match(await page.locator('.problems').innerText(), /ho-kinh-doanh\.toml, dòng \d+/);
      await s.checkPage('definition problems');
      assert.equal(
        Number(await page.locator('tr[data-code="1.001612"] td[data-k="version"]').innerText()),
        current,
        'nothing published',
      );

      // Fixed in the page and published.
      const source = page.locator('#f-source');
      const text = await source.inputValue();
      assert.match(text, /level = "district"/);
      await source.fill(text.replace('level = "district"', original.match(/^level = .*$/m)[0]));
      await submit(page, page.getByRole('button', { name: 'Kiểm tra và công bố' }));
      assert.match(await page.locator('[role="status"]').innerText(), new RegExp(`1\\.001612@${next}`));
      assert.equal(Number(await page.locator('tr[data-code="1.001612"] td[data-k="version"]').innerText()), next);
      await s.checkPage('definition published');
    });
  });

  it('the outbox page: counts per topic, filters, dead messages', async () => {
    await withSession('outbox', async (s) => {
      const { page } = s;
      await signInStaff(page, 'admin');
      await page.goto('/quan-tri/hop-thu-di');
      assert.ok(await page.locator('table').first().isVisible(), 'counts per topic');
      await s.checkPage('outbox');
      await page.locator('#f-trang-thai').selectOption('dead');
      await submit(page, page.getByRole('button', { name: 'Lọc' }));
      assert.match(page.url(), /trang-thai=dead/);
      await s.checkPage('outbox dead');
      // Any dead message can be re-driven from here.
      const redrive = page.locator('form[action="/quan-tri/hop-thu-di/gui-lai"] button.danger');
      if ((await redrive.count()) > 0) {
        await submit(page, redrive);
        assert.match(await page.locator('[role="status"]').innerText(), /\d+/);
        await s.checkPage('outbox redriven');
      }
      // English too.
      await page.goto('/quan-tri/hop-thu-di?lang=en');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.locator('h1').innerText(), 'Outbox and dead messages');
      await s.checkPage('outbox english');
    });
  });

  it('the jobs page: counts per kind, filters, in both languages', async () => {
    await withSession('jobs', async (s) => {
      const { page } = s;
      await signInStaff(page, 'admin');
      await page.goto('/quan-tri/viec-nen');
      assert.equal(await page.locator('h1').innerText(), 'Việc nền');
      assert.ok(await page.locator('tr[data-kind="sweep_deadlines"]').isVisible(), 'the sweep is scheduled');
      await s.checkPage('jobs');
      await page.locator('#f-loai').selectOption('sweep_deadlines');
      await submit(page, page.getByRole('button', { name: 'Lọc' }));
      assert.match(page.url(), /loai=sweep_deadlines/);
      assert.ok((await page.locator('tbody tr[data-id]').count()) > 0, 'its jobs are listed');
      await s.checkPage('jobs of a kind');
      await page.goto('/quan-tri/viec-nen?lang=en');
      assert.equal(await page.locator('h1').innerText(), 'Background jobs');
      await s.checkPage('jobs english');
    });
  });

  it('the administrator moves a day off in the working calendar: a new version, refused when it changes nothing', async () => {
    await withSession('calendar', async (s) => {
      const { page } = s;
      await signInStaff(page, 'admin');
      await page.goto('/quan-tri/lich?nam=2027');
      await s.checkPage('calendar');
      const form = page.locator('form[action="/quan-tri/lich"][method="post"]');
      // A Sunday is off already: refused beside the date, what was typed kept.
      await form.getByLabel('Thay đổi').selectOption('add_holiday');
      await form.getByLabel('Ngày').fill('03/01/2027');
      await form.getByLabel('Căn cứ, lý do').fill('Thử');
      await submit(page, form.getByRole('button', { name: 'Lưu thay đổi' }));
      assert.equal(await page.locator('#f-date').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('#f-date').inputValue(), '03/01/2027');
      await s.checkPage('calendar change refused');
      await form.getByLabel('Ngày').fill('04/01/2027');
      await form.getByLabel('Căn cứ, lý do').fill('Nghỉ bù theo thông báo của Chính phủ');
      await submit(page, form.getByRole('button', { name: 'Lưu thay đổi' }));
      await page.getByRole('status').filter({ hasText: 'Đã lưu lịch làm việc, phiên bản 2' }).waitFor();
      assert.ok(await page.getByRole('rowheader', { name: '04/01/2027' }).isVisible(), 'listed among the days off');
      assert.match(await page.locator('tr').filter({ hasText: 'Nghỉ bù theo thông báo' }).innerText(), /đang dùng/);
      await s.checkPage('calendar changed');
    });
  });
});
