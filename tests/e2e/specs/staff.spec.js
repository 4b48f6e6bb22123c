'use strict';
// The staff pages in Chromium: a clerk receives at the counter (looking the applicant up in the population
// database) and prints the receipt; the whole staff chain through return, each role signed in with its own demo
// account; a clerk receives an inter-agency bundle with a choice of its procedures; a leader batch-signs several
// dossiers. Every page visited is screenshot and checked with axe
// (artifacts/staff-*/).

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { useSuite } = require('../lib/suite');
const { DEMO_PASSWORD, signInStaff } = require('../lib/sign-in');

const SAMPLE_PDF = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'papers', 'mau-giay-to.pdf');
const BIRTH_REGISTRATION = '1.001193'; // receive → appraise → sign → seal → return
const WARD = '000.31.01.H26';

describe('staff pages', { timeout: 20 * 60_000 }, () => {
  const suite = useSuite('staff');
  const { withSession } = suite;

  /** Clicks a submit button and waits for the page it leads to. */
  async function submit(page, name) {
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name, exact: true }).click(),
    ]);
    return response;
  }

  /** Opens a dossier by its code through a queue's search. */
  async function openFromQueue(s, queue, code) {
    const { page } = s;
    await page.goto(`/can-bo/ho-so?hang=${queue}`);
    await page.getByLabel('Tìm theo mã hồ sơ, tên hoặc số giấy tờ người nộp').fill(code);
    await submit(page, 'Tìm');
    await s.checkPage(`queue ${queue}`);
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: code }).click()]);
    assert.match(await page.locator('h1').innerText(), new RegExp(code.replace(/\./g, '\\.')));
  }

  /** The reception desk: a counter dossier of `procedure` for the demo citizen Trần Văn Nam; answers its code. */
  async function receiveAtCounter(s, procedureName, componentName) {
    const { page } = s;
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Tiếp nhận hồ sơ' }).first().click()]);
    await s.checkPage('reception desk');
    const procedure = page.getByLabel('Thủ tục', { exact: true });
    const option = procedure.locator('option').filter({ hasText: procedureName });
    await procedure.selectOption(await option.first().getAttribute('value'));
    await submit(page, 'Hiển thị thành phần của thủ tục đã chọn');
    await page.getByLabel('Số giấy tờ').fill('031085001234');
    await page.getByLabel('Họ và tên').fill('Trần Văn Nam');
    await page.getByLabel('Ngày sinh').fill('02/03/1985');
    await page.getByLabel('Giới tính').selectOption('male');
    await submit(page, 'Tra cứu CSDL quốc gia về dân cư');
    const answer = page.getByRole('status');
    assert.match(await answer.innerText(), /khớp/i, 'the population database confirms the applicant');
    assert.ok((await page.getByLabel('Địa chỉ').inputValue()).length > 0, 'the address is prefilled');
    await s.checkPage('reception looked up');
    await page.getByLabel(componentName, { exact: false }).first().check();
    await page.getByLabel(`Bản chụp — ${componentName}`).setInputFiles(SAMPLE_PDF);
    const received = await submit(page, 'Tiếp nhận hồ sơ');
    assert.equal(received.status(), 200);
    await page.getByRole('status').filter({ hasText: 'Đã tiếp nhận hồ sơ' }).waitFor();
    const title = await page.locator('h1').innerText();
    const code = title.replace(/^Hồ sơ\s+/, '').trim();
    assert.match(code, /^000\.31\.01\.H26-\d{6}-\d{4}$/);
    await s.checkPage('dossier received');
    return code;
  }

  it('a clerk receives a dossier at the counter and prints the receipt', async () => {
    await withSession('reception', async (s) => {
      const { page } = s;
      await signInStaff(s.page, 'hongbang.tiepnhan', { home: true });
      await s.checkPage('clerk work home');
      assert.ok(await page.getByRole('link', { name: /Hồ sơ chờ tiếp nhận/ }).isVisible());
      await receiveAtCounter(s, 'Đăng ký thành lập hộ kinh doanh', 'Giấy đề nghị đăng ký hộ kinh doanh');

      // The form's own link (once the background job has stored the receipt, the dossier's papers list it too,
      // under the same name).
      const receipt = page.locator('a[href$="/bieu-mau/01"]');
      assert.equal((await receipt.innerText()).trim(), 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả');
      const href = await receipt.getAttribute('href');
      const pdf = await page.request.get(href);
      assert.equal(pdf.status(), 200);
      assert.equal(pdf.headers()['content-type'], 'application/pdf');
      assert.equal((await pdf.body()).subarray(0, 4).toString(), '%PDF', 'the receipt is a PDF to print');
      const dir = path.join(__dirname, '..', 'artifacts', 'staff-reception');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'giay-tiep-nhan.pdf'), await pdf.body());
    });
  });

  it('the full staff chain through return, each role with its own account', async () => {
    let code;
    await withSession('chain-clerk', async (s) => {
      await signInStaff(s.page, 'hongbang.tiepnhan', { home: true });
      code = await receiveAtCounter(s, 'Đăng ký thành lập hộ kinh doanh', 'Giấy đề nghị đăng ký hộ kinh doanh');
    });
    await withSession('chain-head', async (s) => {
      const { page } = s;
      await signInStaff(s.page, 'hongbang.truongphong', { home: true });
      await s.checkPage('division head work home');
      await openFromQueue(s, 'assign', code);
      assert.equal(await page.getByRole('button', { name: 'Phê duyệt, ký số kết quả' }).count(), 0);
      const assign = page.getByRole('form', { name: 'Phân công xử lý' });
      await assign.getByLabel('Chuyên viên thụ lý').selectOption({ label: 'Lê Thị Cúc' });
      await submit(page, 'Phân công xử lý');
      await page.getByRole('status').filter({ hasText: 'Đã phân công' }).waitFor();
      await s.checkPage('assigned');
    });
    await withSession('chain-specialist', async (s) => {
      const { page } = s;
      await signInStaff(s.page, 'hongbang.chuyenvien', { home: true });
      await openFromQueue(s, 'appraise', code);
      assert.equal(await page.getByRole('button', { name: 'Phê duyệt, ký số kết quả' }).count(), 0, 'no sign');
      // Sent empty, the appraisal is refused with the error next to the field, and the choice is kept.
      await submit(page, 'Thẩm định, đề xuất');
      const summary = page.getByLabel('Dự thảo kết quả (nội dung chính)');
      assert.equal(await summary.getAttribute('aria-invalid'), 'true');
      await s.checkPage('appraisal refused');
      await summary.fill('Hồ sơ đầy đủ, hợp lệ; đề nghị cấp Giấy chứng nhận đăng ký hộ kinh doanh');
      await submit(page, 'Thẩm định, đề xuất');
      await page.getByRole('status').filter({ hasText: 'Đã gửi kết quả thẩm định' }).waitFor();
      await s.checkPage('appraised');
    });
    await withSession('chain-review', async (s) => {
      const { page } = s;
      await signInStaff(s.page, 'hongbang.truongphong', { home: true });
      await openFromQueue(s, 'review', code);
      const approve = page.getByRole('form', { name: 'Đồng ý, trình ký' });
      await approve.getByLabel('Ghi chú, ý kiến (không bắt buộc)').fill('Đồng ý trình lãnh đạo ký');
      await submit(page, 'Đồng ý, trình ký');
      await page.getByRole('status').filter({ hasText: 'Đã đồng ý' }).waitFor();
    });
    await withSession('chain-leader', async (s) => {
      const { page } = s;
      await signInStaff(s.page, 'hongbang.lanhdao', { home: true });
      await openFromQueue(s, 'sign', code);
      assert.ok(await page.getByText('Đồng ý trình lãnh đạo ký').first().isVisible(), 'the note is in the history');
      await submit(page, 'Phê duyệt, ký số kết quả');
      await page.getByRole('status').filter({ hasText: 'Đã ký' }).waitFor();
      await s.checkPage('signed');
    });
    await withSession('chain-records', async (s) => {
      const { page } = s;
      await signInStaff(s.page, 'hongbang.vanthu', { home: true });
      await openFromQueue(s, 'seal', code);
      await page.getByLabel('Số vào sổ kết quả').fill('27/HKD');
      await submit(page, 'Vào số, đóng dấu');
      await page.getByRole('status').filter({ hasText: 'Đã vào số' }).waitFor();
      await s.checkPage('sealed');
    });
    await withSession('chain-return', async (s) => {
      const { page } = s;
      await signInStaff(s.page, 'hongbang.tiepnhan', { home: true });
      await page.goto('/can-bo/tra-ket-qua');
      await s.checkPage('return desk');
      const row = page.getByRole('row').filter({ hasText: code });
      await row.getByRole('combobox').selectOption('counter');
      await Promise.all([page.waitForNavigation(), row.getByRole('button', { name: `Trả kết quả ${code}` }).click()]);
      await page.getByRole('status').filter({ hasText: 'Đã trả kết quả' }).waitFor();
      await s.checkPage('returned');
      assert.equal(await page.getByRole('row').filter({ hasText: code }).count(), 0, 'no longer waiting');
      // The dossier page shows it returned, with its control slip.
      const api = await dossierByCode(code);
      assert.equal(api.status, 10, 'status 10: returned');
      await page.goto(`/can-bo/ho-so/${api.id}`);
      assert.ok(await page.getByText('Đã trả kết quả').first().isVisible());
      assert.ok(await page.getByRole('heading', { name: 'Phiếu kiểm soát quá trình giải quyết hồ sơ' }).isVisible());
      await s.checkPage('returned dossier');
      // A phone-sized screen: nothing wider than the viewport but the tables, which scroll in their own box.
      await page.setViewportSize({ width: 360, height: 800 });
      await page.reload();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 360 px`);
      await s.checkPage('returned dossier 360px');
    });
  });

  // ----- the JSON API, to prepare dossiers for batch signing -----
  async function token(username) {
    const r = await fetch(`${suite.server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    assert.equal(r.status, 200, `login ${username}`);
    return (await r.json()).access_token;
  }

  async function api(method, p, bearer, body, headers = {}) {
    const r = await fetch(`${suite.server.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...headers, ...(body && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
    const text = await r.text();
    assert.ok(r.status < 300, `${method} ${p}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async function dossierByCode(code) {
    const clerk = await token('hongbang.tiepnhan');
    const page = await api('GET', `/api/v1/dossiers?q=${encodeURIComponent(code)}`, clerk);
    return page.items.find((d) => d.code === code);
  }

  /** A birth registration received and appraised: waiting for the leader's signature. */
  async function atSignStep(idNumber, name, birthDate, sex) {
    const clerk = await token('hongbang.tiepnhan');
    const specialist = await token('hongbang.chuyenvien');
    const pdf = fs.readFileSync(SAMPLE_PDF);
    const components = [];
    for (const id of ['to_khai', 'giay_chung_sinh']) {
      const upload = await api('POST', `/api/v1/uploads?name=${id}.pdf`, clerk, pdf, { 'content-type': 'application/octet-stream' });
      components.push({ id, upload: upload.id });
    }
    const d = await api('POST', '/api/v1/dossiers', clerk, {
      procedure_code: BIRTH_REGISTRATION,
      agency: WARD,
      channel: 'counter',
      applicant: { name, id_kind: 'personal_id', id_number: idNumber, birth_date: birthDate, sex },
      components,
    });
    const appraised = await api('POST', `/api/v1/dossiers/${d.id}/actions`, specialist,
      { action: 'appraise', proposal: { kind: 'result', summary: 'Đủ điều kiện đăng ký khai sinh' } },
      { 'if-match': `"${d.version}"` });
    assert.equal(appraised.step, 'sign');
    // The receipt is rendered by a background job that records it on the dossier (a new version): wait until the
    // version holds still, so the batch page reads the version the leader will sign.
    let seen = appraised.version;
    for (let i = 0; i < 40; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = (await api('GET', `/api/v1/dossiers/${d.id}`, clerk)).version;
      if (now === seen && i >= 2) break;
      seen = now;
    }
    return appraised;
  }

  it('a clerk receives a bundle with two of its four procedures, each opened at its own agency', async () => {
    await withSession('bundle', async (s) => {
      const { page } = s;
      await signInStaff(s.page, 'hongbang.tiepnhan', { home: true });
      await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Tiếp nhận hồ sơ' }).first().click()]);
      const procedure = page.getByLabel('Thủ tục', { exact: true });
      await procedure.selectOption('3.000722');
      await submit(page, 'Hiển thị thành phần của thủ tục đã chọn');
      await s.checkPage('bundle choice');
      const members = page.getByRole('group', { name: 'Thủ tục liên thông' });
      const birth = members.getByRole('checkbox', { name: /Đăng ký khai sinh/ });
      assert.ok((await birth.isChecked()) && (await birth.isDisabled()), 'birth registration is always part of it');
      assert.equal(await members.getByRole('checkbox').count(), 4);
      // Birth registration and the health insurance card only.
      await members.getByRole('checkbox', { name: /Đăng ký thường trú/ }).uncheck();
      await members.getByRole('checkbox', { name: /Cấp thẻ căn cước/ }).uncheck();
      await page.getByLabel('Số giấy tờ').fill('031085001234');
      await page.getByLabel('Họ và tên').fill('Trần Văn Nam');
      await page.getByLabel('Ngày sinh').fill('02/03/1985');
      await page.getByLabel('Giới tính').selectOption('male');
      for (const name of ['Tờ khai đăng ký khai sinh (biểu mẫu điện tử liên thông', 'Giấy chứng sinh']) {
        await page.getByLabel(`Bản chụp — ${name}`, { exact: false }).setInputFiles(SAMPLE_PDF);
      }
      const received = await submit(page, 'Tiếp nhận hồ sơ');
      assert.equal(received.status(), 200);
      await page.getByRole('status').filter({ hasText: 'Đã tiếp nhận hồ sơ' }).waitFor();
      const facts = await page.locator('dl.facts').innerText();
      assert.match(facts, /Đăng ký khai sinh — Được tiếp nhận \(000\.31\.01\.H26-/, 'birth at the ward');
      assert.match(facts, /Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi — Được tiếp nhận \(000\.00\.35\.H26-/);
      assert.doesNotMatch(facts, /Đăng ký thường trú —/, 'left out');
      await s.checkPage('bundle received');
    });
  });

  it('a leader batch-signs several dossiers', async () => {
    const ready = [
      await atSignStep('031190012345', 'Nguyễn Thị Hường', '1990-05-17', 'female'),
      await atSignStep('031195004321', 'Lê Minh Châu', '1995-11-30', 'female'),
    ];
    await withSession('batch', async (s) => {
      const { page } = s;
      await signInStaff(s.page, 'hongbang.lanhdao', { home: true });
      await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Ký duyệt hàng loạt' }).first().click()]);
      await s.checkPage('batch signing');
      for (const d of ready) await page.getByLabel(`Chọn ${d.code}`).check();
      await submit(page, 'Ký các hồ sơ đã chọn');
      const outcome = page.getByRole('status');
      await outcome.waitFor();
      const text = await outcome.innerText();
      assert.match(text, /\(2\/2\)/, text);
      for (const d of ready) assert.match(text, new RegExp(`${d.code.replace(/\./g, '\\.')}: ✓`), text);
      await s.checkPage('batch signed');
      for (const d of ready) assert.equal(await page.getByLabel(`Chọn ${d.code}`).count(), 0, 'signed: off the list');
    });
    for (const d of ready) {
      const after = await dossierByCode(d.code);
      assert.equal(after.signed, true);
      assert.equal(after.step, 'seal');
    }
  });

  it('two tabs renewing the session at the same moment keep the clerk signed in', async () => {
    await withSession('two-tabs', async (s) => {
      const { page, context } = s;
      await signInStaff(page, 'hongbang.tiepnhan', { home: true });
      // The access token's cookie gone (as when it expires): each tab renews with the same refresh cookie.
      await context.clearCookies({ name: 'motcua_session' });
      const other = await context.newPage();
      await Promise.all([page.goto('/can-bo'), other.goto('/can-bo/tiep-nhan')]);
      assert.equal(await page.locator('h1').innerText(), 'Việc của tôi', 'the first tab is signed in');
      assert.equal(await other.locator('h1').innerText(), 'Tiếp nhận hồ sơ', 'and so is the second');
      await s.checkPage('first tab after renewal');
      await other.close();
    });
  });
});
