// Drives the refund preview (bindings/wasm/pkg-www, served on localhost) in headless Chromium:
// types amounts, checks what the page shows against the engine, runs every shared vector
// through the web build, and saves test-artifacts/preview.png.
// Env: URL (required), SCREENSHOT (png path), VECTORS (vectors dir). Run by scripts/test-wasm.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { chromium } from 'playwright-core';
import { loadVectors, subsetMismatch } from '../../bindings/wasm/js-tests/support.mjs';

const URL_ = process.env.URL;
if (!URL_) {
  console.error('set URL to the served preview, e.g. http://127.0.0.1:8000/');
  process.exit(2);
}
const SCREENSHOT = process.env.SCREENSHOT || 'test-artifacts/preview.png';
// The nodejs build, to compare the page with the package users get.
const rr = createRequire(new URL('../../bindings/wasm/js-tests/', import.meta.url))('refund-rules');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
let passed = 0;
const check = async (name, fn) => {
  await fn();
  passed += 1;
  console.log(`ok - ${name}`);
};

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const origin = new URL(URL_).origin;
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`network request off the page's origin: ${r.url()}`);
  });

  await page.goto(URL_);
  await page.waitForSelector('#app[data-ready="true"]', { timeout: 20000 });

  const verdict = (v) => page.waitForSelector(`#verdict[data-verdict="${v}"]`, { timeout: 5000 });
  const text = (sel) => page.locator(sel).innerText();
  const typeAmount = async (value) => {
    await page.locator('#amount').fill('');
    await page.locator('#amount').pressSequentially(value);
  };

  await check('the provider picker lists all five providers', async () => {
    const options = await page.locator('#provider option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(options, ['simpleps', 'fiserv_commerce_hub', 'alternative_payments', 'digital_river', 'commerce_layer']);
  });

  await check('the bundled SimplePS examples are offered and one is loaded', async () => {
    const names = await page.locator('#example option').evaluateAll((os) => os.map((o) => o.textContent));
    assert.ok(names.includes('partial-refund'), names.join(', '));
    assert.equal(await page.locator('#example').inputValue(), 'simpleps/partial-refund.json');
    assert.match(await page.locator('#ledger').inputValue(), /"order-12345"/);
    // The example's own amount, as the engine reads it.
    assert.equal(await page.locator('#amount').inputValue(), '25.00');
  });

  await check('a valid partial amount shows breakdown, kind and statuses after', async () => {
    await typeAmount('25.00');
    await verdict('valid');
    assert.equal(await text('#max-refundable'), '100.10 USD');
    assert.equal(await page.locator('#kind').getAttribute('data-kind'), 'partial');
    assert.equal(await text('#remaining-after'), '75.10 USD');
    assert.equal(await text('#status-after'), 'payment: PARTIALLY_REFUNDED');
    assert.match(await text('#result'), /Captured\s*100\.10/);
  });
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  await check('a rejected amount shows the engine error code and exact message', async () => {
    await typeAmount('200');
    await verdict('rejected');
    assert.equal(await text('#error-code'), 'exceeds_refundable');
    let expected;
    try {
      rr.plan(`{"provider":"simpleps","ledger":${await page.locator('#ledger').inputValue()},"request":{"amount":{"total":200,"currency":"USD"}}}`);
    } catch (e) {
      expected = e.message;
    }
    assert.ok(expected, 'the nodejs build also rejects 200');
    assert.equal(await text('#error-message'), expected);
    assert.equal(await text('#max-refundable'), '100.10 USD');
  });
  await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-rejected.png'), fullPage: true });

  await check('too many decimals is refused, not rounded', async () => {
    await typeAmount('25.001');
    await verdict('rejected');
    assert.equal(await text('#error-code'), 'invalid_amount');
  });

  await check('an empty amount is a full refund of what remains', async () => {
    await page.locator('#amount').fill('');
    await verdict('valid');
    assert.equal(await page.locator('#kind').getAttribute('data-kind'), 'full');
    assert.match(await text('#verdict'), /100\.10 USD/);
  });

  await check('keyboard: labelled controls in a sensible tab order, live result region', async () => {
    for (const id of ['provider', 'example', 'file', 'ledger', 'amount', 'request', 'options', 'now']) {
      assert.equal(await page.locator(`label[for="${id}"]`).count() > 0, true, `label for #${id}`);
    }
    assert.equal(await page.locator('#result').getAttribute('aria-live'), 'polite');
    await page.locator('#provider').focus();
    const order = ['provider'];
    for (let i = 0; i < 4; i += 1) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement && document.activeElement.id));
    }
    assert.deepEqual(order, ['provider', 'example', 'file', 'ledger', 'amount']);
    // Typing in the focused amount field updates the result.
    await page.keyboard.type('30');
    await verdict('valid');
    assert.equal(await text('#remaining-after'), '70.10 USD');
  });

  await check('switching provider by keyboard keeps the page working', async () => {
    await page.locator('#provider').focus();
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => document.querySelector('#provider').value === 'fiserv_commerce_hub');
    await page.waitForSelector('#verdict');
    await page.locator('#provider').selectOption('simpleps');
    await page.waitForFunction(() => document.querySelector('#example').value !== '');
  });

  await check('every shared vector gives the same answer through the web build in the browser', async () => {
    const cases = loadVectors();
    assert.ok(cases.length > 0);
    const envelopes = await page.evaluate(async (docs) => {
      const m = await import('./pkg/index.js');
      return docs.map(([op, t]) => m.run(op, t));
    }, cases.map((c) => [c.operation, c.text]));
    cases.forEach((c, i) => {
      const mm = subsetMismatch(c.expected, envelopes[i]);
      assert.equal(mm, null, `${c.file}: ${c.name}: ${mm}`);
    });
    console.log(`   (${cases.length} vectors)`);
  });

  assert.deepEqual(problems, [], problems.join('\n'));
  console.log(`browser test: ${passed} checks passed; screenshot ${SCREENSHOT}`);
} finally {
  await browser.close();
}
