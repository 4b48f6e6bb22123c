'use strict';
// Petitions (phản ánh, kiến nghị) in Chromium: anyone files one from the home page and follows it with its code
// and phone; the clerk accepts it from the staff queue; the division head answers and publishes it; the
// petitioner says she is not satisfied; everyone finds the published answer. Every page is screenshot and
// checked with axe (artifacts/petitions-*/).

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');

const { useSuite } = require('../lib/suite');
const { signInStaff } = require('../lib/sign-in');

const PHONE = '0912 345 678';
const TITLE = 'Cán bộ hẹn trả kết quả nhiều lần';
const ANSWER = 'Đơn vị đã kiểm điểm cán bộ và trả kết quả cho bà ngày 27/11.';

describe('petitions', { timeout: 20 * 60_000 }, () => {
  const suite = useSuite('petitions');
  const { withSession } = suite;
  let code;

  it('anyone files a petition from the home page, with the missing contact shown by its field', async () => {
    await withSession('file', async (s) => {
      const { page } = s;
      await page.goto('/');
      await Promise.all([page.waitForURL(/\/phan-anh-kien-nghi\/gui/), page.locator('a[href="/phan-anh-kien-nghi/gui"]').first().click()]);
      await s.checkPage('form');
      await page.getByLabel('Phản ánh, kiến nghị về').selectOption('conduct');
      await page.getByLabel('Cơ quan tiếp nhận').selectOption({ label: 'Ủy ban nhân dân phường Hồng Bàng' });
      await page.getByLabel('Tiêu đề').fill(TITLE);
      await page.getByLabel('Nội dung phản ánh, kiến nghị').fill('Tôi đã đến nhận kết quả ba lần mà chưa có.');
      await page.getByLabel('Họ và tên').fill('Nguyễn Thị Hoa');
      await page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị' }).click();
      await page.waitForLoadState();
      assert.ok(await page.locator('#e-phone').isVisible(), 'the phone field says what is missing');
      assert.equal(await page.getByLabel('Tiêu đề').inputValue(), TITLE, 'what was typed is kept');
      await s.checkPage('form with errors');
      await page.getByLabel('Số điện thoại').fill(PHONE);
      await page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị' }).click();
      await page.waitForLoadState();
      const notice = await page.locator('[role="status"]').innerText();
      code = notice.match(/PA-[0-9A-Z.]+-\d{6}-\d{4}/)[0];
      assert.ok(code, notice);
      assert.match(await page.locator('.facts').innerText(), /Chờ xem xét/);
      await s.checkPage('filed');
    });
  });

  it('the clerk accepts it and the division head answers and publishes it', async () => {
    await withSession('staff', async (s) => {
      const { page } = s;
      await signInStaff(page, 'hongbang.tiepnhan', { home: true });
      await Promise.all([page.waitForURL(/\/can-bo\/phan-anh$/), page.locator('nav a[href="/can-bo/phan-anh"]').click()]);
      await s.checkPage('queue');
      await Promise.all([page.waitForURL(/\/can-bo\/phan-anh\/.+/), page.getByRole('link', { name: code }).click()]);
      await s.checkPage('petition for the clerk');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Tiếp nhận xử lý' }).click()]);
      assert.match(await page.locator('.meta').innerText(), /Đang xử lý/);
      const url = page.url();
      await page.context().clearCookies();
      await signInStaff(page, 'hongbang.truongphong', { home: true });
      await page.goto(url);
      await page.getByLabel('Kết quả trả lời').fill(ANSWER);
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Trả lời', exact: true }).click()]);
      await s.checkPage('answered');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Công khai kết quả trả lời' }).click()]);
      assert.match(await page.locator('.meta').innerText(), /Đã công khai/);
      assert.match(await page.locator('.history').innerText(), /Trả lời/);
      await s.checkPage('published');

      // The head's month per agency and per officer named, from the queue.
      await page.goto('/can-bo/phan-anh');
      await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Tổng hợp theo cơ quan, cán bộ' }).click()]);
      const byAgency = page.locator('section[aria-labelledby="by-agency"]');
      assert.match(await byAgency.innerText(), /Ủy ban nhân dân phường Hồng Bàng\s+\d+/);
      await s.checkPage('summary');
    });
  });

  it('the petitioner follows it, reads the answer and says she is not satisfied; everyone finds the answer', async () => {
    await withSession('follow', async (s) => {
      const { page } = s;
      await page.goto('/phan-anh-kien-nghi/theo-doi');
      await page.getByLabel('Mã phản ánh, kiến nghị').fill(code);
      await page.getByLabel('Số điện thoại hoặc thư điện tử đã nhập').fill('+84912345678');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Tra cứu' }).click()]);
      assert.match(await page.locator('main').innerText(), new RegExp(ANSWER.slice(0, 20)));
      await s.checkPage('answer');
      await page.getByLabel('Không hài lòng').check();
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Gửi đánh giá' }).click()]);
      assert.match(await page.locator('.facts').innerText(), /Không hài lòng/);
      await s.checkPage('rated');
      await page.goto('/phan-anh-kien-nghi');
      await page.getByLabel('Tìm trong các kết quả trả lời').fill('hen tra ket qua');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Tìm kiếm' }).click()]);
      const list = await page.locator('main').innerText();
      assert.ok(list.includes(TITLE) && list.includes(ANSWER), list);
      assert.ok(!list.includes('Nguyễn Thị Hoa') && !list.includes('0912'), 'no personal data is published');
      await s.checkPage('published answers');
    });
  });
});
