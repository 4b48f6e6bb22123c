'use strict';
// The citizen's pages in Chromium: sign-in with the national e-identity (the demo's identity provider page), an
// online submission through the guided form (a refused field first, then the summary and the confirmation), a
// supplement requested by the ward and answered on her dossier page, the fee paid on the payment platform's page,
// the result downloaded once the ward has returned it, the rating, and her repository. The ward's side is
// driven through the JSON API with Bearer tokens (loopback only). Every page visited is screenshot and checked
// with axe (artifacts/citizen-*/).

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { REPO_ROOT } = require('../lib/server');
const { useSuite } = require('../lib/suite');
const { DEMO_PASSWORD, signInCitizen } = require('../lib/sign-in');

const HUONG = { id: '031190012345', name: 'Nguyễn Thị Hường' };
const PROCEDURE = '1.001612'; // Đăng ký thành lập hộ kinh doanh: one required paper
const HONG_BANG = '000.31.01.H26';
const SAMPLE_PDF = path.join(REPO_ROOT, 'fixtures', 'papers', 'mau-giay-to.pdf');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('citizen pages', { timeout: 20 * 60_000 }, () => {
  const suite = useSuite('citizen');
  const { withSession } = suite;

  // ---- The ward's side, through the JSON API ----

  async function api(method, url, token, body, headers = {}) {
    const res = await fetch(`${suite.server.url}${url}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, json, text };
  }

  async function staff(username) {
    const res = await api('POST', '/api/v1/auth/login', null, { username, password: DEMO_PASSWORD });
    assert.equal(res.status, 200, `login ${username}: ${res.text}`);
    return { token: res.json.access_token, id: res.json.staff.id };
  }

  async function act(who, dossier, action) {
    const res = await api('POST', `/api/v1/dossiers/${dossier.id}/actions`, who.token, action, {
      'If-Match': String(dossier.version),
    });
    assert.equal(res.status, 200, `${JSON.stringify(action)} -> ${res.text}`);
    return res.json;
  }

  async function dossierAs(who, id) {
    const res = await api('GET', `/api/v1/dossiers/${id}`, who.token);
    assert.equal(res.status, 200, res.text);
    return res.json;
  }

  // ---- The citizen's side, in the browser ----

  /** The current page on a 360 px phone: checked, and nothing wider than the screen. */
  async function onPhone(s, label) {
    const { page } = s;
    await page.setViewportSize({ width: 360, height: 780 });
    await s.checkPage(`${label} 360px`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `${label}: the page is ${width} px wide on a 360 px screen`);
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  it('she signs in, submits online, answers a supplement and downloads the result; rates the service', async () => {
    await withSession('submission', async (s) => {
      const { page } = s;
      await signInCitizen(s, HUONG);

      // The procedure page offers the online submission.
      await page.goto(`/thu-tuc/${PROCEDURE}`);
      await Promise.all([page.waitForURL(`**/thu-tuc/${PROCEDURE}/nop`), page.locator(`a[href="/thu-tuc/${PROCEDURE}/nop"]`).click()]);
      assert.equal(await page.inputValue('#f-applicant-name'), HUONG.name, 'prefilled from the e-identity');
      assert.equal(await page.inputValue('#f-applicant-id-number'), HUONG.id);
      assert.equal(await page.inputValue('#f-applicant-sex'), 'female', 'from the personal id');
      await s.checkPage('submission form');
      await onPhone(s, 'submission form');

      // A wrong phone number first: the form comes back with everything kept and the error at the field.
      await page.selectOption('#f-agency', HONG_BANG);
      await page.fill('#f-applicant-birth-date', '1990-05-17');
      await page.fill('#f-applicant-address', '12 Hoàng Văn Thụ, phường Hồng Bàng, Hải Phòng');
      await page.fill('#f-applicant-phone', '09-sai-so');
      await page.fill('#f-applicant-email', 'huong@example.vn');
      await page.fill('#f-summary', 'Đăng ký hộ kinh doanh Tạp hóa Hường');
      await page.setInputFiles('#f-components-giay-de-nghi', SAMPLE_PDF);
      await Promise.all([page.waitForNavigation(), page.locator('button[name="step"][value="review"]').click()]);
      const phone = page.locator('#f-applicant-phone');
      assert.equal(await phone.inputValue(), '09-sai-so', 'what she typed is kept');
      assert.equal(await phone.getAttribute('aria-invalid'), 'true');
      assert.match(await page.locator('#e-applicant-phone').innerText(), /Số điện thoại không hợp lệ/);
      assert.ok(await page.locator('.summary[role="alert"] a[href="#f-applicant-phone"]').isVisible(), 'summary links to the field');
      assert.equal(await page.inputValue('#f-summary'), 'Đăng ký hộ kinh doanh Tạp hóa Hường');
      assert.match(await page.locator('.paper .notice').first().innerText(), /mau-giay-to\.pdf/, 'the file is kept');
      await s.checkPage('submission refused');

      // Corrected: the summary, then the submission and its confirmation with the code.
      await page.fill('#f-applicant-phone', '0912345678');
      await Promise.all([page.waitForNavigation(), page.locator('button[name="step"][value="review"]').click()]);
      assert.match(await page.locator('main').innerText(), /0912345678/);
      assert.match(await page.locator('main').innerText(), /Ủy ban nhân dân phường Hồng Bàng/);
      await s.checkPage('submission summary');
      await Promise.all([page.waitForURL(/\/da-nop$/), page.locator('button[name="step"][value="submit"]').click()]);
      const code = (await page.locator('#dossier-code').innerText()).trim();
      assert.match(code, /^000\.31\.01\.H26-\d{6}-\d{4}$/, code);
      await s.checkPage('submission confirmed');
      await Promise.all([page.waitForURL(/\/cong-dan\/ho-so\/[^/]+$/), page.locator('a.button[href^="/cong-dan/ho-so/"]').click()]);
      const id = new URL(page.url()).pathname.split('/').pop();
      assert.match(await page.locator('main').innerText(), /Mới đăng ký/);
      await s.checkPage('dossier submitted');

      // The ward receives it and, at assignment, asks for a corrected paper.
      const clerk = await staff('hongbang.tiepnhan');
      const head = await staff('hongbang.truongphong');
      const specialist = await staff('hongbang.chuyenvien');
      const leader = await staff('hongbang.lanhdao');
      const records = await staff('hongbang.vanthu');
      let d = await dossierAs(clerk, id);
      assert.equal(d.code, code);
      d = await act(clerk, d, { action: 'receive' });
      assert.equal(d.status, 2, JSON.stringify(d.identity_check));
      d = await act(head, d, {
        action: 'request_supplement',
        items: [{ component: 'giay_de_nghi', reason: 'Giấy đề nghị thiếu chữ ký của chủ hộ' }],
      });
      assert.equal(d.status, 5);

      // She answers on her dossier page.
      await page.reload();
      const supplement = page.locator('section[aria-labelledby="s-supplement"]');
      assert.match(await supplement.innerText(), /thiếu chữ ký của chủ hộ/);
      await s.checkPage('supplement requested');
      await supplement.locator('input[type="file"]').setInputFiles(SAMPLE_PDF);
      await Promise.all([page.waitForNavigation(), supplement.locator('button[type="submit"]').click()]);
      assert.equal(new URL(page.url()).pathname, `/cong-dan/ho-so/${id}`);
      assert.match(await page.locator('.status-line').innerText(), /Đang xử lý/, 'back in process');
      assert.equal(await page.locator('section[aria-labelledby="s-supplement"]').count(), 0);
      await s.checkPage('supplement sent');
      d = await dossierAs(clerk, id);
      assert.equal(d.status, 4);

      // The fee: the order reaches the payment platform (through the server's outbox); her page then links to
      // the platform's page, where she pays; its signed callback resumes processing.
      d = await act(clerk, d, { action: 'request_payment', amount_vnd: 100000 });
      assert.equal(d.status, 6);
      const pay = page.locator('section[aria-labelledby="s-payment"] a.button');
      for (let i = 0; i < 60 && (await pay.count()) === 0; i++) {
        await sleep(500);
        await page.reload();
      }
      assert.equal(await pay.count(), 1, 'a link to pay once the platform has the order');
      assert.match(await page.locator('section[aria-labelledby="s-payment"]').innerText(), /100\.000 đ/);
      await s.checkPage('payment requested');
      await Promise.all([page.waitForURL(/\/pay\//), pay.click()]);
      await s.checkPage('payment platform');
      await Promise.all([page.waitForNavigation(), page.locator('form button[type="submit"]').click()]);
      for (let i = 0; i < 60 && d.status !== 4; i++) {
        await sleep(250);
        d = await dossierAs(clerk, id);
      }
      assert.equal(d.status, 4, 'paid: back in process');
      await page.goto(`/cong-dan/ho-so/${id}`);
      assert.match(await page.locator('section[aria-labelledby="s-payment"]').innerText(), /Đã thanh toán/);

      // The ward takes it through to the result, returned electronically.
      d = await act(head, d, { action: 'assign', assignee: specialist.id });
      d = await act(specialist, d, { action: 'appraise', proposal: { kind: 'result', summary: 'Đủ điều kiện đăng ký' } });
      d = await act(head, d, { action: 'approve' });
      d = await act(leader, d, { action: 'sign' });
      d = await act(records, d, { action: 'seal', number: '15/HKD' });
      d = await act(clerk, d, { action: 'return', method: 'electronic' });
      assert.equal(d.status, 10);

      // She downloads the result from her dossier page.
      await page.reload();
      assert.match(await page.locator('.status-line').innerText(), /Đã trả kết quả/);
      const link = page.locator('section[aria-labelledby="s-results"] a').first();
      assert.ok(await link.isVisible(), 'a result to download');
      await s.checkPage('result ready');
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const file = path.join(s.dir, 'ket-qua.pdf');
      await download.saveAs(file);
      assert.equal(fs.readFileSync(file).subarray(0, 5).toString(), '%PDF-', 'a PDF');

      // She rates the service, once: the score alone is refused, the portal's three questions must be answered.
      await page.locator('input[name="score"][value="5"]').check();
      await page.fill('#f-comment', 'Nhanh, đúng hẹn');
      await Promise.all([page.waitForNavigation(), page.locator('section[aria-labelledby="s-rate"] button').click()]);
      assert.match(await page.locator('.summary[role="alert"]').innerText(), /Chọn hài lòng hoặc không hài lòng/);
      assert.ok(await page.locator('input[name="score"][value="5"]').isChecked(), 'the score is kept');
      await s.checkPage('rating refused');
      await page.locator('#reception_satisfied-co').check();
      await page.locator('#result_satisfied-co').check();
      // By keyboard: the officer's question is a radio group like any other.
      await page.locator('#officer_satisfied-khong').focus();
      await page.keyboard.press('Space');
      assert.ok(await page.locator('#officer_satisfied-khong').isChecked());
      await Promise.all([page.waitForNavigation(), page.locator('section[aria-labelledby="s-rate"] button').click()]);
      const given = await page.locator('section[aria-labelledby="s-rating"]').innerText();
      assert.match(given, /5\/5/);
      assert.match(given, /Thái độ, trách nhiệm của cán bộ\s*Không hài lòng/);
      assert.equal(await page.locator('section[aria-labelledby="s-rate"]').count(), 0, 'rated once');
      await s.checkPage('rated');
      await onPhone(s, 'dossier');

      // The same page in English.
      await page.goto(`/cong-dan/ho-so/${id}?lang=en`);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.match(await page.locator('.status-line').innerText(), /Returned/);
      await s.checkPage('dossier in English');
      await page.goto(`/cong-dan/ho-so/${id}?lang=vi`);

      // My dossiers lists it with its status.
      await page.goto('/cong-dan');
      const row = page.locator('tr', { hasText: code });
      assert.match(await row.innerText(), /Đã trả kết quả/);
      await onPhone(s, 'my dossiers');
    });
  });

  it('an applicant rates a returned dossier through the link the SMS brought, without signing in', async () => {
    await withSession('rating-link', async (s) => {
      const { page } = s;
      const [clerk, head, specialist, leader, records] = await Promise.all(
        ['hongbang.tiepnhan', 'hongbang.truongphong', 'hongbang.chuyenvien', 'hongbang.lanhdao', 'hongbang.vanthu'].map(staff),
      );
      const uploaded = await fetch(`${suite.server.url}/api/v1/uploads?name=giay-de-nghi.pdf`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${clerk.token}`, 'Content-Type': 'application/octet-stream' },
        body: fs.readFileSync(SAMPLE_PDF),
      });
      assert.equal(uploaded.status, 201);
      const upload = (await uploaded.json()).id;
      const received = await api('POST', '/api/v1/dossiers', clerk.token, {
        procedure_code: PROCEDURE,
        agency: HONG_BANG,
        channel: 'counter',
        applicant: { name: 'Trần Văn Nam', id_kind: 'personal_id', id_number: '031085001234', birth_date: '1985-03-02', sex: 'male', phone: '0912 000 222' },
        components: [{ id: 'giay_de_nghi', upload }],
      });
      assert.equal(received.status, 201, received.text);
      let d = received.json;
      d = await act(head, d, { action: 'assign', assignee: specialist.id });
      d = await act(specialist, d, { action: 'appraise', proposal: { kind: 'result', summary: 'Đủ điều kiện' } });
      d = await act(head, d, { action: 'approve' });
      d = await act(leader, d, { action: 'sign' });
      d = await act(records, d, { action: 'seal', number: '16/HKD' });
      d = await act(clerk, d, { action: 'return', method: 'electronic' });
      assert.equal(d.status, 10);

      // The demo's SMS gateway (its address is in the server's log) receives the invitation from the outbox.
      const log = fs.readFileSync(suite.server.logPath, 'utf8');
      const gateway = log.match(/SMS gateway\s+(http:\/\/127\.0\.0\.1:\d+\/messages)/);
      assert.ok(gateway, 'the SMS gateway simulator is listed in the log');
      let link = null;
      for (let i = 0; i < 60 && !link; i++) {
        const all = await (await fetch(gateway[1])).json();
        const sms = all.messages.find((m) => m.text.includes(d.code) && m.text.includes('/danh-gia/'));
        link = sms && sms.text.match(/https?:\/\/\S+\/danh-gia\/[A-Za-z0-9_-]+/)[0];
        if (!link) await sleep(500);
      }
      assert.ok(link, 'an SMS with the rating link');
      await page.goto(link);
      assert.match(await page.locator('dl.facts').innerText(), new RegExp(d.code.replace(/\./g, '\\.')));
      assert.doesNotMatch(await page.content(), /Trần Văn Nam/, 'no personal data on the link page');
      await s.checkPage('rating link');
      await page.locator('input[name="score"][value="2"]').check();
      await Promise.all([page.waitForNavigation(), page.locator('section[aria-labelledby="s-rate"] button').click()]);
      assert.match(await page.locator('.summary[role="alert"]').innerText(), /Chọn hài lòng hoặc không hài lòng/);
      await s.checkPage('rating link refused');
      await page.locator('#reception_satisfied-co').check();
      await page.locator('#result_satisfied-co').check();
      await page.locator('#officer_satisfied-khong').check();
      await page.fill('#f-comment', 'Phải đi lại nhiều lần');
      await Promise.all([page.waitForNavigation(), page.locator('section[aria-labelledby="s-rate"] button').click()]);
      assert.match(await page.getByRole('status').innerText(), /Cảm ơn Ông\/Bà đã đánh giá/);
      assert.match(await page.locator('section[aria-labelledby="s-rating"]').innerText(), /2\/5/);
      await s.checkPage('rated by link');
    });
  });

  it('her repository: add a paper, file it in a folder, share it, trash and restore it', async () => {
    await withSession('repository', async (s) => {
      const { page } = s;
      await signInCitizen(s, HUONG);
      await page.goto('/cong-dan/kho');
      await s.checkPage('repository');

      // Nothing chosen: refused with the title error at its field.
      await Promise.all([page.waitForNavigation(), page.locator('section[aria-labelledby="s-add"] button[type="submit"]').click()]);
      assert.equal(await page.locator('#f-title').getAttribute('aria-invalid'), 'true');
      await s.checkPage('repository add refused');

      await page.setInputFiles('#f-file', SAMPLE_PDF);
      await page.fill('#f-title', 'Căn cước của tôi');
      await page.selectOption('#f-paper-type', 'CCCD');
      await page.selectOption('#f-store', 'personal_papers');
      await Promise.all([page.waitForNavigation(), page.locator('section[aria-labelledby="s-add"] button[type="submit"]').click()]);
      const item = page.locator('li.card', { hasText: 'Căn cước của tôi' });
      assert.ok(await item.isVisible(), 'added');

      await item.locator('summary').click();
      await item.locator('input[name="folder"]').fill('Giấy tờ tùy thân');
      await Promise.all([page.waitForNavigation(), item.locator('form[action$="/chuyen"] button').click()]);
      assert.match(await page.locator('nav.stores').innerText(), /Giấy tờ tùy thân/, 'the folder is listed');

      const again = page.locator('li.card', { hasText: 'Căn cước của tôi' });
      await again.locator('summary').click();
      await again.locator('form[action$="/chia-se"] select').selectOption(HONG_BANG);
      await Promise.all([page.waitForNavigation(), again.locator('form[action$="/chia-se"]:has(select) button').click()]);
      const shared = page.locator('li.card', { hasText: 'Căn cước của tôi' });
      assert.match(await shared.innerText(), /Ủy ban nhân dân phường Hồng Bàng/, 'shared with the ward');
      await s.checkPage('repository shared');
      await onPhone(s, 'repository');

      await shared.locator('summary').click();
      await Promise.all([page.waitForNavigation(), shared.locator('form[action$="/xoa"] button').click()]);
      await page.goto('/cong-dan/kho?thung-rac=1');
      const trashed = page.locator('li.card', { hasText: 'Căn cước của tôi' });
      assert.ok(await trashed.isVisible(), 'in the trash');
      await s.checkPage('repository trash');
      await Promise.all([page.waitForNavigation(), trashed.locator('form[action$="/khoi-phuc"] button').click()]);
      await page.goto('/cong-dan/kho?kho=personal_papers');
      assert.ok(await page.locator('li.card', { hasText: 'Căn cước của tôi' }).isVisible(), 'restored');
    });
  });
});
