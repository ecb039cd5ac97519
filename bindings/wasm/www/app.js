// Refund preview: every decision comes from the engine (pkg/index.js, the web build); this file
// only gathers inputs and renders the engine's answers.
import init, { plan, refundable, parseAmount, formatAmount, engineVersion, jsonNumber, RefundError } from './pkg/index.js';

// Where each provider's refund request carries the amount, and in which wire form (providers.md
// §0.2). This is wire layout, not a rule: the engine still decides what it accepts. The request
// body itself comes from the provider's bundled examples; `skeleton` is only the fallback.
const PROVIDERS = {
  simpleps: {
    label: 'SimplePS',
    path: ['amount', 'total'],
    // No amount = no `amount` object at all (a body of only {"currency"} is not a request).
    clear: ['amount'],
    currency: ['amount', 'currency'],
    form: 'number',
    skeleton: (ledger) => ({ amount: { total: 0, currency: ledger.currency } }),
  },
  fiserv_commerce_hub: {
    label: 'Fiserv Commerce Hub',
    path: ['amount', 'total'],
    // No amount = no `amount` object at all (a body of only {"currency"} is not a request).
    clear: ['amount'],
    currency: ['amount', 'currency'],
    form: 'number',
    skeleton: (ledger) => ({ amount: { total: 0, currency: ledger.currency } }),
  },
  alternative_payments: {
    label: 'Alternative Payments',
    path: ['amount'],
    form: 'string',
    skeleton: (ledger) => ({ payment_id: ledger.id || 'payment_1', amount: '', reason: { type: 'Customer Request' } }),
  },
  digital_river: {
    label: 'Digital River',
    path: ['amount'],
    currency: ['currency'],
    form: 'number',
    skeleton: (ledger) => ({ orderId: ledger.id || 'order_1', currency: ledger.currency, amount: 0 }),
  },
  commerce_layer: {
    label: 'Commerce Layer',
    path: ['data', 'attributes', '_refund_amount_cents'],
    form: 'minor',
    skeleton: (ledger) => ({
      data: {
        type: 'captures',
        id: (ledger.captures && ledger.captures[0] && ledger.captures[0].id) || 'capture_1',
        attributes: { _refund: true, _refund_amount_cents: 0 },
      },
    }),
  },
};

const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

const $ = (id) => document.getElementById(id);
const els = {
  app: $('app'),
  provider: $('provider'),
  example: $('example'),
  file: $('file'),
  ledger: $('ledger'),
  amount: $('amount'),
  currency: $('currency'),
  request: $('request'),
  options: $('options'),
  now: $('now'),
  amountPath: $('amount-path'),
  result: $('result'),
  version: $('engine-version'),
};

let examples = {};
/** Whether the loaded document had a request body, and whether the person edited it. */
let requestFromDocument = false;
let requestEdited = false;
/** provider -> the request body of its first bundled example that has one. */
const exampleRequests = {};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

function getAt(obj, path) {
  return path.reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), obj);
}

function setAt(obj, path, value) {
  let o = obj;
  for (const k of path.slice(0, -1)) {
    if (!o[k] || typeof o[k] !== 'object') o[k] = {};
    o = o[k];
  }
  const last = path[path.length - 1];
  if (value === undefined) delete o[last];
  else o[last] = value;
}

/** The ledger from the textarea: a ledger, or a document carrying one under "ledger". */
function readLedger() {
  const text = els.ledger.value.trim();
  if (!text) return { problem: 'Paste a ledger or load an example.' };
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { problem: `The ledger is not valid JSON: ${e.message}` };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { problem: 'The ledger must be a JSON object.' };
  return { ledger: doc.ledger && typeof doc.ledger === 'object' ? doc.ledger : doc, doc };
}

function readObjectField(textarea, what) {
  const text = textarea.value.trim();
  if (!text) return { value: undefined };
  try {
    const value = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { problem: `The ${what} must be a JSON object.` };
    return { value };
  } catch (e) {
    return { problem: `The ${what} is not valid JSON: ${e.message}` };
  }
}

/** The amount as the provider's wire value; minor units come from the engine's own parser. */
function wireAmount(text, form, ledger, provider) {
  if (form === 'string') return text;
  if (form === 'minor') {
    const parsed = parseAmount({ amount: text, currency: String(ledger.currency || ''), provider });
    return jsonNumber(parsed.minor);
  }
  // A number position: exact text when it is a JSON number, else a string for the engine to refuse.
  return JSON_NUMBER.test(text) ? jsonNumber(text) : text;
}

function fmt(amount, currency) {
  return currency ? `${amount} ${currency}` : amount;
}

function errorBlock(error, title) {
  const body = error instanceof RefundError ? error : null;
  return el(
    'div',
    { class: 'verdict rejected', id: 'verdict', 'data-verdict': 'rejected' },
    el('p', { class: 'verdict-title' }, el('span', { class: 'badge' }, 'Rejected'), ' ', title),
    body
      ? el(
          'p',
          {},
          el('code', { id: 'error-code' }, body.code),
          ' ',
          el('span', { class: 'muted' }, `(${body.family}${body.pointer ? ` at ${body.pointer}` : ''})`),
        )
      : null,
    el('p', { id: 'error-message', class: 'message' }, body ? body.message : String(error && error.message ? error.message : error)),
    body && body.providerError
      ? el('details', {}, el('summary', {}, 'What the provider would answer'), el('pre', { class: 'json' }, JSON.stringify(body.providerError, null, 2)))
      : null,
  );
}

function breakdownBlock(ledger, provider) {
  try {
    const r = refundable({ ledger, provider });
    return el(
      'div',
      { class: 'breakdown' },
      el('p', { class: 'label' }, 'Maximum refundable'),
      el('p', { class: 'big', id: 'max-refundable' }, fmt(r.available, r.currency)),
      el(
        'dl',
        { class: 'pairs' },
        el('dt', {}, 'Captured'), el('dd', {}, r.captured),
        el('dt', {}, 'Refunded'), el('dd', {}, r.refunded),
        el('dt', {}, 'Pending'), el('dd', {}, r.pending),
        el('dt', {}, 'Available'), el('dd', {}, r.available),
      ),
    );
  } catch (e) {
    return errorBlock(e, 'The ledger was refused');
  }
}

function statusesText(s) {
  return ['payment', 'order', 'fulfillment'].filter((k) => s && s[k]).map((k) => `${k}: ${s[k]}`);
}

function planBlock(p, ledger) {
  const before = statusesText(ledger.status || {});
  const after = statusesText(p.status_after);
  return el(
    'div',
    { class: 'verdict valid', id: 'verdict', 'data-verdict': 'valid' },
    el(
      'p',
      { class: 'verdict-title' },
      el('span', { class: 'badge' }, 'Valid'),
      ' ',
      el('span', { id: 'kind', 'data-kind': p.kind }, p.kind === 'full' ? 'Full refund' : 'Partial refund'),
      ` of ${fmt(p.amount, p.refundable.currency)}`,
    ),
    el(
      'dl',
      { class: 'pairs wide' },
      el('dt', {}, 'Remaining after'), el('dd', { id: 'remaining-after' }, fmt(p.remaining_after, p.refundable.currency)),
      el('dt', {}, 'Statuses before'), el('dd', {}, before.map((x) => el('div', {}, x))),
      el('dt', {}, 'Statuses after'), el('dd', { id: 'status-after' }, after.map((x) => el('div', {}, x))),
      el('dt', {}, 'Provider call'), el('dd', {}, el('code', {}, `${p.operation}: ${p.provider_call.method} ${p.provider_call.path}`)),
      p.refund_state ? [el('dt', {}, 'Refund starts as'), el('dd', {}, p.refund_state)] : null,
    ),
    p.explanation && p.explanation.length
      ? el('details', {}, el('summary', {}, 'Why'), el('ol', {}, p.explanation.map((x) => el('li', {}, x))))
      : null,
  );
}

function update() {
  const provider = els.provider.value;
  const spec = PROVIDERS[provider];
  els.amountPath.textContent = `/${spec.path.join('/')}`;
  const blocks = [];
  const { ledger, problem } = readLedger();
  if (problem) {
    render([el('p', { class: 'muted', id: 'verdict', 'data-verdict': 'none' }, problem)]);
    return;
  }
  els.currency.textContent = typeof ledger.currency === 'string' ? ledger.currency : '';
  blocks.push(breakdownBlock(ledger, provider));

  const req = readObjectField(els.request, 'request body');
  const opts = readObjectField(els.options, 'options');
  if (req.problem || opts.problem) {
    blocks.push(el('p', { class: 'muted', id: 'verdict', 'data-verdict': 'none' }, req.problem || opts.problem));
    render(blocks);
    return;
  }
  const request = structuredClone(req.value || {});
  const text = els.amount.value.trim();
  try {
    if (text === '') setAt(request, spec.clear || spec.path, undefined);
    else setAt(request, spec.path, wireAmount(text, spec.form, ledger, provider));
    const doc = { provider, ledger };
    // No amount and a document without a request: plan it as the document says (no body).
    const send = text !== '' || requestFromDocument || requestEdited;
    if (send && Object.keys(request).length > 0) doc.request = request;
    if (opts.value) doc.options = opts.value;
    if (els.now.value.trim()) doc.now = els.now.value.trim();
    blocks.push(planBlock(plan(doc), ledger));
  } catch (e) {
    blocks.push(errorBlock(e, text === '' ? 'No refund is possible' : `The amount ${text} is not accepted`));
  }
  render(blocks);
}

function render(blocks) {
  els.result.replaceChildren(...blocks);
}

/** The provider's request shape for another ledger: same body, this ledger's currency. */
function borrowedRequest(provider, ledger) {
  const spec = PROVIDERS[provider];
  if (!exampleRequests[provider]) return spec.skeleton(ledger || {});
  const base = structuredClone(exampleRequests[provider]);
  if (spec.currency && getAt(base, spec.currency) !== undefined && ledger && typeof ledger.currency === 'string') {
    setAt(base, spec.currency, ledger.currency);
  }
  return base;
}

function requestTemplate(doc, ledger, provider, rawText) {
  const spec = PROVIDERS[provider];
  const fallback = borrowedRequest(provider, ledger);
  const base = doc && doc.request && typeof doc.request === 'object' ? structuredClone(doc.request) : fallback;
  const sample = getAt(base, spec.path);
  setAt(base, spec.path, undefined);
  let amount = '';
  if (doc && doc.request && sample !== undefined && sample !== null) {
    // The engine's reading of the example's amount ("25.00"); the raw value when it refuses it.
    // The raw document text keeps the number's exact text (JSON.parse turns 58.00 into 58).
    amount = String(sample);
    try {
      amount = plan(rawText !== undefined ? rawText : { provider, ledger, request: doc.request }).amount;
    } catch (e) {
      if (spec.form !== 'minor' && e instanceof RefundError && e.code === 'invalid_amount' && typeof e.details.amount === 'string') {
        amount = e.details.amount;
      } else if (spec.form === 'minor') {
        try {
          amount = formatAmount({ minor: String(sample), currency: String(ledger.currency) }).amount;
        } catch {
          amount = String(sample);
        }
      }
    }
  }
  return { base, amount };
}

/** Fills every field from a loaded document (a ledger, or a plan/apply/refundable document). */
function useDocument(text) {
  els.ledger.value = text.trim();
  const { ledger, doc } = readLedger();
  requestEdited = false;
  requestFromDocument = Boolean(ledger && doc.ledger && doc.request);
  if (ledger) {
    if (doc.ledger) els.ledger.value = JSON.stringify(ledger, null, 2);
    const { base, amount } = requestTemplate(doc, ledger, els.provider.value, doc.ledger ? text : undefined);
    els.request.value = JSON.stringify(base, null, 2);
    els.amount.value = amount;
    els.options.value = doc.ledger && doc.options ? JSON.stringify(doc.options, null, 2) : '';
    els.now.value = doc.ledger && typeof doc.now === 'string' ? doc.now : '';
  }
  update();
}

async function fetchExample(file) {
  return (await fetch(`examples/${file}`)).text();
}

/** Finds the provider's plainest request shape (the shortest with an amount) in its bundled examples, once. */
async function learnRequestShape(provider) {
  if (provider in exampleRequests) return;
  exampleRequests[provider] = null;
  let best = null;
  for (const x of examples[provider] || []) {
    try {
      const doc = JSON.parse(await fetchExample(x.file));
      if (doc && doc.request && typeof doc.request === 'object' && getAt(doc.request, PROVIDERS[provider].path) !== undefined) {
        const size = JSON.stringify(doc.request).length;
        if (!best || size < best.size) best = { size, request: doc.request };
      }
    } catch {
      // Not JSON: skip it.
    }
  }
  exampleRequests[provider] = best ? best.request : null;
}

async function loadExample(file) {
  await learnRequestShape(els.provider.value);
  useDocument(await fetchExample(file));
}

function fillExamples() {
  const list = examples[els.provider.value] || [];
  els.example.replaceChildren(
    el('option', { value: '' }, list.length ? 'Choose an example…' : 'No bundled examples for this provider'),
    ...list.map((x) => el('option', { value: x.file }, x.name)),
  );
  els.example.disabled = list.length === 0;
}

async function resetRequest() {
  const provider = els.provider.value;
  await learnRequestShape(provider);
  const { ledger } = readLedger();
  const base = borrowedRequest(provider, ledger);
  setAt(base, PROVIDERS[provider].path, undefined);
  els.request.value = JSON.stringify(base, null, 2);
  requestFromDocument = false;
  requestEdited = false;
}

async function main() {
  els.provider.replaceChildren(...Object.entries(PROVIDERS).map(([id, p]) => el('option', { value: id }, p.label)));
  try {
    await init();
  } catch (e) {
    els.result.replaceChildren(el('p', { class: 'message' }, `The engine could not load: ${e.message}`));
    return;
  }
  els.version.textContent = `refund-rules engine ${engineVersion()} (WebAssembly)`;
  try {
    examples = await (await fetch('examples/index.json')).json();
  } catch {
    examples = {};
  }
  fillExamples();

  els.provider.addEventListener('change', async () => {
    fillExamples();
    const first = (examples[els.provider.value] || [])[0];
    if (first) {
      els.example.value = first.file;
      await loadExample(first.file);
    } else {
      await resetRequest();
      update();
    }
  });
  els.example.addEventListener('change', () => {
    if (els.example.value) loadExample(els.example.value);
  });
  els.file.addEventListener('change', async () => {
    const f = els.file.files && els.file.files[0];
    if (!f) return;
    els.example.value = '';
    await learnRequestShape(els.provider.value);
    useDocument(await f.text());
  });
  els.request.addEventListener('input', () => {
    requestEdited = true;
  });
  for (const input of [els.ledger, els.amount, els.request, els.options, els.now]) input.addEventListener('input', update);

  // Start on the first provider's "full refund" style example when there is one.
  const list = examples[els.provider.value] || [];
  const start = list.find((x) => /partial-refund/.test(x.name)) || list[0];
  if (start) {
    els.example.value = start.file;
    await loadExample(start.file);
  } else {
    await resetRequest();
    update();
  }
  els.app.dataset.ready = 'true';
}

main();
