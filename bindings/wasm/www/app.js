// Refund preview: every decision comes from the engine (pkg/index.js, the web build); this file
// only gathers inputs and renders the engine's answers.
import init, { plan, options, parseAmount, formatAmount, engineVersion, jsonNumber, RefundError } from './pkg/index.js';

// Where each provider's refund request carries the amount, and in which wire form (providers.md
// §0.2). This is wire layout, not a rule: the engine still decides what it accepts, and every
// maximum, minimum and reason shown comes from the engine's `options` and `plan`. The request body
// itself comes from the provider's bundled examples; `skeleton` is only the fallback.
//
// `write(request, wire, ctx)` puts a typed amount into a request in the provider's own form
// (`wire` is the amount in the provider's wire form, `undefined` for an empty box); while the box
// still holds the loaded example's amount (`ctx.changed` false) it only sets the amount where the
// example has it, so every example shows its own verdict. `scope(request)` names the scope the
// request targets ({kind, id}, as in `options.scopes`), or null for the whole payment.
// `everything(request)` is the request's "all that its scope has" form, where the scope may be
// one `options` does not list (Digital River item types).
const amountOnly = (path) => ({
  path,
  write(request, wire) {
    if (wire === undefined) setAt(request, [path[0]], undefined);
    else setAt(request, path, wire);
    return null;
  },
});

const PROVIDERS = {
  simpleps: {
    label: 'SimplePS',
    ...amountObject(),
    skeleton: (ledger) => ({ amount: { total: 0, currency: ledger.currency } }),
  },
  fiserv_commerce_hub: {
    label: 'Fiserv Commerce Hub',
    ...amountObject(),
    skeleton: (ledger) => ({ amount: { total: 0, currency: ledger.currency } }),
  },
  alternative_payments: {
    label: 'Alternative Payments',
    ...amountOnly(['amount']),
    form: 'string',
    skeleton: (ledger) => ({ payment_id: ledger.id || 'payment_1', amount: '', reason: { type: 'Customer Request' } }),
  },
  digital_river: {
    label: 'Digital River',
    path: ['amount'],
    currency: ['currency'],
    form: 'number',
    skeleton: (ledger) => ({ orderId: ledger.id || 'order_1', currency: ledger.currency, amount: 0 }),
    // Exactly one of amount, percent, items; an item is sized by amount, percent or quantity.
    write(request, wire, ctx) {
      const items = Array.isArray(request.items) ? request.items : null;
      if (!ctx.changed) {
        if (items && items.length === 1 && items[0] && items[0].amount !== undefined && wire !== undefined) items[0].amount = wire;
        else if (!items && request.percent === undefined) setAt(request, ['amount'], wire);
        return null;
      }
      if (items && items.length === 1 && items[0] && typeof items[0] === 'object') {
        for (const k of ['amount', 'percent', 'quantity']) delete items[0][k];
        if (wire !== undefined) items[0].amount = wire;
        return wire === undefined ? 'No size on the item: all of it.' : null;
      }
      delete request.items;
      delete request.amount;
      delete request.percent;
      if (wire === undefined) {
        request.percent = 100;
        return 'No amount: sent as percent 100 (all of the scope).';
      }
      request.amount = wire;
      return null;
    },
    scope(request) {
      const items = Array.isArray(request.items) ? request.items : null;
      if (items && items.length === 1 && items[0] && typeof items[0].itemId === 'string') {
        return items[0].type ? { kind: 'item_type', id: `${items[0].itemId} ${items[0].type}` } : { kind: 'line', id: items[0].itemId };
      }
      return typeof request.type === 'string' ? { kind: 'type', id: request.type } : null;
    },
    everything(request) {
      const r = structuredClone(request);
      if (Array.isArray(r.items)) {
        for (const item of r.items) if (item && typeof item === 'object') for (const k of ['amount', 'percent', 'quantity']) delete item[k];
      } else {
        delete r.amount;
        r.percent = 100;
      }
      return r;
    },
  },
  commerce_layer: {
    label: 'Commerce Layer',
    path: ['data', 'attributes', '_refund_amount_cents'],
    form: 'minor',
    skeleton: (ledger) => ({
      data: {
        type: 'captures',
        id: firstCapture(ledger) || 'capture_1',
        attributes: { _refund: true, _refund_amount_cents: 0 },
      },
    }),
    // Captures and returns take `_refund_amount_cents`; an order's `_refund` and a refund's
    // `_forward` take no amount, so a typed amount is sent as a refund of a capture.
    write(request, wire, ctx) {
      const path = ['data', 'attributes', '_refund_amount_cents'];
      const type = getAt(request, ['data', 'type']);
      if (!ctx.changed || type === 'captures' || type === 'returns') {
        setAt(request, path, wire);
        return null;
      }
      if (wire === undefined) return null;
      const capture = firstCapture(ctx.ledger);
      if (!capture) return null;
      const was = `${type} ${getAt(request, ['data', 'id'])}`;
      for (const k of Object.keys(request)) delete request[k];
      request.data = { type: 'captures', id: capture, attributes: { _refund: true, _refund_amount_cents: wire } };
      return `${was} takes no amount: sent as a refund of capture ${capture}.`;
    },
    scope(request) {
      const kind = { captures: 'capture', orders: 'order', returns: 'return' }[getAt(request, ['data', 'type'])];
      const id = getAt(request, ['data', 'id']);
      return kind && typeof id === 'string' ? { kind, id } : null;
    },
  },
};

/** SimplePS and Fiserv: `amount: {total, currency}`; no amount = no `amount` object at all. */
function amountObject() {
  return {
    path: ['amount', 'total'],
    currency: ['amount', 'currency'],
    form: 'number',
    write(request, wire, ctx) {
      if (wire === undefined) {
        delete request.amount;
        if (ctx.changed && request.amountComponents !== undefined) {
          delete request.amountComponents;
          return 'amountComponents removed: they broke down the example\'s total.';
        }
        return null;
      }
      if (!request.amount || typeof request.amount !== 'object') request.amount = {};
      request.amount.total = wire;
      if (request.amount.currency === undefined && typeof ctx.ledger.currency === 'string') request.amount.currency = ctx.ledger.currency;
      // Fiserv's amountComponents break down one total: a new total leaves them behind.
      if (ctx.changed && request.amountComponents !== undefined) {
        delete request.amountComponents;
        return 'amountComponents removed: they broke down the example\'s total.';
      }
      return null;
    },
  };
}

function firstCapture(ledger) {
  return ledger && Array.isArray(ledger.captures) && ledger.captures[0] && ledger.captures[0].id;
}

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
  note: $('amount-note'),
  resetRequest: $('reset-request'),
  result: $('result'),
  version: $('engine-version'),
};

let examples = {};
/** Whether the loaded document had a request body, and whether the person edited it. */
let requestFromDocument = false;
let requestEdited = false;
/** The amount box's text as the loaded example gave it: while it is unchanged the request is sent as the example has it. */
let loadedAmount = '';
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

function providerErrorDetails(body) {
  return body && body.providerError
    ? el('details', {}, el('summary', {}, 'What the provider would answer'), el('pre', { class: 'json' }, JSON.stringify(body.providerError, null, 2)))
    : null;
}

/** The one error block of the page (id `verdict`); `extra` adds lines (the blocked instant). */
function errorBlock(error, title, extra = null) {
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
    extra,
    providerErrorDetails(body),
  );
}

/** When a blocked answer stops or stopped holding: the window's end, or `until`. */
function blockedInstant(o) {
  if (o.blocked && o.blocked.expired_at) return el('p', { id: 'blocked-instant' }, `The refund window closed at `, el('time', { datetime: o.blocked.expired_at }, o.blocked.expired_at), '.');
  if (o.until) return el('p', { id: 'blocked-instant' }, 'This holds until ', el('time', { datetime: o.until }, o.until), '.');
  return null;
}

function sourceLink(blocked) {
  return blocked && blocked.source ? el('p', { class: 'muted source' }, 'Rule: ', el('a', { href: blocked.source, rel: 'noreferrer' }, blocked.source)) : null;
}

function operationText(op) {
  return op === 'cancel' ? 'a cancel' : op === 'void' ? 'a void' : 'a refund';
}

/**
 * The big number: `options.max` with what the request may carry, or, when no refund is possible
 * now, the reason (`blocked`) and its instant. `merged`: the plan was refused for the same reason,
 * so this is the page's one error block.
 */
function optionsBlock(o, scoped, merged) {
  const cur = o.refundable.currency;
  const pairs = el(
    'dl',
    { class: 'pairs' },
    el('dt', {}, 'Captured'), el('dd', {}, o.refundable.captured),
    el('dt', {}, 'Refunded'), el('dd', {}, o.refundable.refunded),
    el('dt', {}, 'Pending'), el('dd', {}, o.refundable.pending),
    el('dt', {}, 'Available'), el('dd', {}, o.refundable.available),
  );
  if (o.blocked) {
    const b = o.blocked;
    const lines = [
      el('span', {}, el('code', { id: 'blocked-code' }, b.code), ' '),
      blockedInstant(o),
      sourceLink(b),
    ];
    if (merged) {
      return el('div', { class: 'breakdown', id: 'max-block', 'data-blocked': b.code },
        errorBlock(merged, 'No refund is possible now', lines), pairs);
    }
    return el(
      'div',
      { class: 'breakdown blocked', id: 'max-block', 'data-blocked': b.code },
      el('p', { class: 'label' }, 'Maximum refundable now'),
      el('p', { class: 'big', id: 'blocked-title' }, 'No refund is possible now'),
      el('p', { id: 'blocked' }, lines[0], el('span', { class: 'message', id: 'blocked-message' }, b.message)),
      ...lines.slice(1),
      pairs,
    );
  }
  const notes = [];
  if (o.operation && o.operation !== 'refund') notes.push(el('li', { id: 'operation-note' }, `Sent as ${operationText(o.operation)} (${o.operation}).`));
  if (o.full_only) notes.push(el('li', { id: 'full-only' }, `Only the full amount (${fmt(o.max, cur)}) is accepted; no partial refunds.`));
  else notes.push(el('li', { id: 'min' }, `From ${fmt(o.min, cur)} up to ${fmt(o.max, cur)}.`));
  if (o.until) notes.push(el('li', { id: 'until' }, 'Until ', el('time', { datetime: o.until }, o.until), '.'));
  for (const c of o.constraints || []) notes.push(el('li', { class: 'muted' }, c));
  return el(
    'div',
    { class: 'breakdown', id: 'max-block', 'data-blocked': '' },
    el('p', { class: 'label' }, o.operation && o.operation !== 'refund' ? `Maximum now, as ${operationText(o.operation)}` : 'Maximum refundable now'),
    el('p', { class: 'big', id: 'max-refundable', 'data-max': o.max }, fmt(o.max, cur)),
    scoped ? scopeLine(scoped, cur) : null,
    el('ul', { class: 'notes' }, notes),
    pairs,
  );
}

function scopeLine(s, cur) {
  if (s.blocked) {
    return el('p', { id: 'request-max', 'data-blocked': s.blocked.code, 'data-max': s.max },
      `This request (${s.label}): nothing can be refunded — `, el('code', {}, s.blocked.code));
  }
  return el('p', { id: 'request-max', 'data-blocked': '', 'data-max': s.max },
    `This request (${s.label}): up to `, el('strong', { class: 'amount' }, fmt(s.max, cur)), s.full_only ? ', the full amount only' : '');
}

function statusesText(s) {
  return ['payment', 'order', 'fulfillment'].filter((k) => s && s[k]).map((k) => `${k}: ${s[k]}`);
}

function planTitle(p) {
  if (p.operation === 'cancel') return 'Cancel';
  if (p.operation === 'void') return 'Void';
  if (p.operation === 'forward') return 'Forward of a refund';
  return p.kind === 'full' ? 'Full refund' : 'Partial refund';
}

function planBlock(p, ledger) {
  const before = statusesText(ledger.status || {});
  const after = statusesText(p.status_after);
  return el(
    'div',
    { class: 'verdict valid', id: 'verdict', 'data-verdict': 'valid', 'data-operation': p.operation },
    el(
      'p',
      { class: 'verdict-title' },
      el('span', { class: 'badge' }, 'Valid'),
      ' ',
      el('span', { id: 'kind', 'data-kind': p.kind }, planTitle(p)),
      ` of ${fmt(p.amount, p.refundable.currency)}`,
      p.operation === 'cancel' || p.operation === 'void' ? ` (${p.kind === 'full' ? 'the full amount' : 'partial'})` : '',
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

/** The scope the request targets, with what it can carry: from `options.scopes`, else the engine's plan of its everything form. */
function requestScope(spec, request, o, base) {
  const target = spec.scope ? spec.scope(request) : null;
  if (!target) return null;
  const label = `${target.kind.replace('_', ' ')} ${target.id}`;
  const listed = (o.scopes || []).find((s) => s.kind === target.kind && s.id === target.id);
  if (listed) return { label, max: listed.max, full_only: listed.full_only, blocked: listed.blocked };
  if (!spec.everything) return null;
  try {
    const p = plan({ ...base, request: spec.everything(request) });
    return { label, max: p.amount, full_only: false, blocked: null };
  } catch (e) {
    return e instanceof RefundError && e.family === 'rule_rejected' ? { label, max: '0', full_only: false, blocked: { code: e.code } } : null;
  }
}

function update() {
  const provider = els.provider.value;
  const spec = PROVIDERS[provider];
  els.amountPath.textContent = `/${spec.path.join('/')}`;
  els.note.textContent = '';
  const { ledger, problem } = readLedger();
  if (problem) {
    render([el('p', { class: 'muted', id: 'verdict', 'data-verdict': 'none' }, problem)]);
    return;
  }
  els.currency.textContent = typeof ledger.currency === 'string' ? ledger.currency : '';

  const req = readObjectField(els.request, 'request body');
  const opts = readObjectField(els.options, 'options');
  if (req.problem || opts.problem) {
    render([el('p', { class: 'muted', id: 'verdict', 'data-verdict': 'none' }, req.problem || opts.problem)]);
    return;
  }
  const base = { provider, ledger };
  if (opts.value) base.options = opts.value;
  if (els.now.value.trim()) base.now = els.now.value.trim();

  // What can be refunded now; a refusal here (the ledger, the options, `now`) is the only block.
  let o;
  try {
    o = options(base);
  } catch (e) {
    render([errorBlock(e, 'The payment was refused')]);
    return;
  }

  const request = structuredClone(req.value || {});
  const text = els.amount.value.trim();
  const changed = text !== loadedAmount;
  let verdict;
  let refusal = null;
  try {
    const note = spec.write(request, text === '' ? undefined : wireAmount(text, spec.form, ledger, provider), { ledger, changed });
    if (note) els.note.textContent = note;
    const doc = { ...base };
    // No amount and a document without a request: plan it as the document says (no body).
    const send = text !== '' || requestFromDocument || requestEdited;
    if (send && Object.keys(request).length > 0) doc.request = request;
    verdict = planBlock(plan(doc), ledger);
  } catch (e) {
    refusal = e;
  }
  const scoped = requestScope(spec, request, o, base);
  // One error block: a refusal for the very reason the payment is blocked is shown there.
  const merged = refusal && o.blocked && refusal instanceof RefundError && refusal.code === o.blocked.code ? refusal : null;
  const blocks = [optionsBlock(o, scoped, merged)];
  if (refusal && !merged) {
    const what = o.operation === 'cancel' ? 'cancel' : o.operation === 'void' ? 'void' : 'refund';
    blocks.push(errorBlock(refusal, text === '' ? `No ${what} is possible` : `The amount ${text} is not accepted`));
  } else if (verdict) {
    blocks.push(verdict);
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
  loadedAmount = '';
  if (ledger) {
    if (doc.ledger) els.ledger.value = JSON.stringify(ledger, null, 2);
    const { base, amount } = requestTemplate(doc, ledger, els.provider.value, doc.ledger ? text : undefined);
    els.request.value = JSON.stringify(base, null, 2);
    els.amount.value = amount;
    loadedAmount = amount;
    // A request sized otherwise (percent, quantity, a full trigger) is sent as it is until you type.
    els.amount.placeholder = requestFromDocument && amount === '' ? 'as in the request' : '';
    els.options.value = doc.ledger && doc.options ? JSON.stringify(doc.options, null, 2) : '';
    els.now.value = doc.ledger && typeof doc.now === 'string' ? doc.now : '';
  }
  update();
}

async function fetchExample(file) {
  return (await fetch(`examples/${file}`)).text();
}

/**
 * Reads the provider's bundled examples once: the plainest request shape (the shortest with an
 * amount), and for each plan example whether the engine accepts it as it is (the picker groups).
 */
async function learnExamples(provider) {
  if (provider in exampleRequests) return;
  exampleRequests[provider] = null;
  let best = null;
  for (const x of examples[provider] || []) {
    try {
      const text = await fetchExample(x.file);
      const doc = JSON.parse(text);
      if (x.operation === 'plan') {
        try {
          plan(text);
          x.group = 'accepted';
        } catch (e) {
          x.group = 'refused';
          x.code = e instanceof RefundError ? e.code : 'error';
        }
      }
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
  await learnExamples(els.provider.value);
  useDocument(await fetchExample(file));
}

const GROUPS = [
  ['accepted', 'Refund requests (plan: accepted)'],
  ['refused', 'Refused requests (plan: error examples)'],
  ['apply', 'Events (apply: the ledger before the event)'],
  ['other', 'Other documents'],
];

function groupOf(x) {
  if (x.operation === 'plan') return x.group || 'accepted';
  return x.operation === 'apply' ? 'apply' : 'other';
}

async function fillExamples() {
  const provider = els.provider.value;
  await learnExamples(provider);
  const list = examples[provider] || [];
  els.example.replaceChildren(
    el('option', { value: '' }, list.length ? 'Choose an example…' : 'No bundled examples for this provider'),
    ...GROUPS.map(([g, label]) => {
      const items = list.filter((x) => groupOf(x) === g);
      return items.length
        ? el('optgroup', { label, 'data-group': g }, items.map((x) => el('option', { value: x.file, 'data-operation': x.operation }, x.code ? `${x.name} (${x.code})` : x.name)))
        : null;
    }),
  );
  els.example.disabled = list.length === 0;
}

async function resetRequest() {
  const provider = els.provider.value;
  await learnExamples(provider);
  const { ledger } = readLedger();
  const base = borrowedRequest(provider, ledger);
  setAt(base, PROVIDERS[provider].path, undefined);
  els.request.value = JSON.stringify(base, null, 2);
  requestFromDocument = false;
  requestEdited = false;
  loadedAmount = '';
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
  await fillExamples();

  els.provider.addEventListener('change', async () => {
    els.app.dataset.ready = 'false';
    await fillExamples();
    const list = examples[els.provider.value] || [];
    const first = list.find((x) => groupOf(x) === 'accepted') || list[0];
    if (first) {
      els.example.value = first.file;
      await loadExample(first.file);
    } else {
      await resetRequest();
      update();
    }
    els.app.dataset.ready = 'true';
  });
  els.example.addEventListener('change', async () => {
    if (!els.example.value) return;
    els.app.dataset.ready = 'false';
    await loadExample(els.example.value);
    els.app.dataset.ready = 'true';
  });
  els.file.addEventListener('change', async () => {
    const f = els.file.files && els.file.files[0];
    if (!f) return;
    els.example.value = '';
    await learnExamples(els.provider.value);
    useDocument(await f.text());
  });
  els.resetRequest.addEventListener('click', async () => {
    await resetRequest();
    update();
  });
  els.request.addEventListener('input', () => {
    requestEdited = true;
  });
  for (const input of [els.ledger, els.amount, els.request, els.options, els.now]) input.addEventListener('input', update);

  // Start on the first provider's "partial refund" example when there is one.
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
