// The JS layer of the refund-rules WebAssembly package, shared by the nodejs and web builds.
//
// It only moves documents in and out of the core's JSON surface (`runJson` in the wasm
// module): no refund rule lives here. scripts/test-wasm appends a CommonJS or ES-module
// footer, so this file has no import/export statements of its own.

/** Nesting limit for object documents; also stops cycles (the core's JSON reader stops at 128). */
const MAX_DEPTH = 128;

/** A JSON number's exact grammar (RFC 8259); the core decides what it accepts as an amount. */
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** An engine error: a rejected refund, an illegal transition, a conflict or bad input. */
class RefundError extends Error {
  constructor(body) {
    super(String(body && body.message !== undefined ? body.message : 'unknown error'));
    this.name = 'RefundError';
    /** Stable code, e.g. `exceeds_refundable`. */
    this.code = body.code;
    /** `invalid_input`, `rule_rejected`, `illegal_transition` or `conflict`. */
    this.family = body.family;
    /** Structured details; amount errors carry the `refundable` breakdown. */
    this.details = body.details !== undefined && body.details !== null ? body.details : {};
    /** JSON pointer into the input document, or null. */
    this.pointer = body.pointer !== undefined ? body.pointer : null;
    /** The error body the provider itself would answer with, or null. */
    this.providerError = body.provider_error !== undefined ? body.provider_error : null;
  }

  /** The refundable breakdown carried by amount errors, or undefined. */
  get refundable() {
    return this.details.refundable;
  }

  /** The error as the core's error body (snake_case keys). */
  toJSON() {
    const body = { code: this.code, family: this.family, message: this.message, details: this.details };
    if (this.pointer !== null) body.pointer = this.pointer;
    if (this.providerError !== null) body.provider_error = this.providerError;
    return body;
  }
}

/** A JSON number written exactly as `text` (e.g. `jsonNumber("25.00")`) inside an object document. */
class JsonNumber {
  constructor(text) {
    if (typeof text !== 'string' || !JSON_NUMBER.test(text)) {
      throw new TypeError(`jsonNumber expects the text of a JSON number, got ${JSON.stringify(String(text))}`);
    }
    this.text = text;
    Object.freeze(this);
  }

  toString() {
    return this.text;
  }

  toJSON() {
    return this.text;
  }
}

function jsonNumber(text) {
  return new JsonNumber(text);
}

function inputError(pointer, message) {
  return new RefundError({ code: 'invalid_input', family: 'invalid_input', message, pointer, details: {} });
}

function escapePointer(key) {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function significantDigits(text) {
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  return digits.length;
}

/**
 * The text of a JS number, or an error when the number may not be the decimal the caller wrote:
 * a double holds every decimal of up to 15 significant digits exactly (DBL_DIG), and its shortest
 * round-trip text is then that decimal; beyond that (e.g. 0.1 + 0.2 = 0.30000000000000004) or
 * beyond 2^53 it is refused rather than guessed.
 */
function numberText(n, pointer) {
  if (!Number.isFinite(n)) throw inputError(pointer, `\`${n}\` is not a JSON number`);
  const text = JSON.stringify(n);
  const exact = Number.isInteger(n)
    ? Number.isSafeInteger(n)
    : !/e/i.test(text) && significantDigits(text) <= 15;
  if (!exact) {
    throw inputError(
      pointer,
      `the JS number \`${text}\` cannot be passed exactly (more than 15 significant digits, ` +
        'exponent form or beyond 2^53); write the amount you mean as jsonNumber("…") where the field is a JSON ' +
        'number (e.g. SimplePS `amount.total`), as a string where it is a string (ledger amounts), or pass the whole ' +
        'document as JSON text',
    );
  }
  return text;
}

function writeJson(value, pointer, out, depth) {
  if (depth > MAX_DEPTH) {
    throw inputError(pointer, `the document nests deeper than ${MAX_DEPTH} levels (or contains a cycle)`);
  }
  if (value instanceof JsonNumber) {
    out.push(value.text);
    return;
  }
  if (value !== null && typeof value === 'object' && typeof JSON.isRawJSON === 'function' && JSON.isRawJSON(value)) {
    out.push(value.rawJSON);
    return;
  }
  if (value !== null && typeof value === 'object' && typeof value.toJSON === 'function') {
    value = value.toJSON();
  }
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      out.push(numberText(value, pointer));
      return;
    case 'bigint':
      out.push(value.toString());
      return;
    case 'object':
      break;
    default:
      throw inputError(pointer, `a ${typeof value} cannot be written as JSON`);
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      writeJson(item, `${pointer}/${i}`, out, depth + 1);
    });
    out.push(']');
    return;
  }
  out.push('{');
  let first = true;
  for (const key of Object.keys(value)) {
    const item = value[key];
    // Like JSON.stringify: absent-valued keys are left out.
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(key), ':');
    writeJson(item, `${pointer}/${escapePointer(key)}`, out, depth + 1);
  }
  out.push('}');
}

/**
 * The JSON text of a document: a string is taken as JSON text verbatim (every number keeps its
 * exact text; one holding a lone surrogate, which is not Unicode text, as its WTF-8 bytes), a
 * `Uint8Array` as the document's bytes (the core checks they are UTF-8, as the CLI does); an
 * object is written by `writeJson` (strings as strings, numbers checked exact).
 */
function documentText(document) {
  if (typeof document === 'string') return isWellFormed(document) ? document : wtf8Bytes(document);
  if (document instanceof Uint8Array) return document;
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    const got = document === null ? 'null' : Array.isArray(document) ? 'an array' : `a ${typeof document}`;
    throw inputError('', `expected a document object or its JSON text, got ${got}`);
  }
  // Plain data (the common case) is written by the native JSON.stringify, which gives the same
  // text as writeJson for it; anything else (JsonNumber, bigint, toJSON, a number that is not a
  // safe integer, holes, cycles) goes through writeJson, which also names the bad field.
  if (isPlainJson(document, 0)) return JSON.stringify(document);
  const out = [];
  writeJson(document, '', out, 0);
  return out.join('');
}

/**
 * Whether `JSON.stringify(value)` is exactly the text `writeJson` writes: strings, booleans,
 * null, safe integers, arrays without holes or undefined, and objects whose prototype is
 * `Object.prototype` or null, with no `toJSON`, nested at most MAX_DEPTH deep. Other numbers
 * (fractions, huge or non-finite ones) are left to `writeJson`'s exactness check.
 */
function isPlainJson(value, depth) {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isSafeInteger(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      if (!isPlainJson(value[i], depth + 1)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in value) return false;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) return false;
    const item = value[key];
    // Like JSON.stringify (and writeJson), absent-valued keys are left out.
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    if (!isPlainJson(item, depth + 1)) return false;
  }
  return true;
}

/** A UTF-16 code unit that is half of a surrogate pair without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string is Unicode text (no lone surrogate): only such text can cross as `&str`. */
function isWellFormed(text) {
  return typeof text.isWellFormed === 'function' ? text.isWellFormed() : !LONE_SURROGATE.test(text);
}

/**
 * The WTF-8 bytes of a string: UTF-8, with a lone surrogate written as its own 3 bytes (what the
 * CLI reads from a file holding such a string). The core refuses them exactly as the CLI does,
 * where passing the string as `&str` would silently turn the surrogate into U+FFFD.
 */
function wtf8Bytes(text) {
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i += 1) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i += 1;
      }
    }
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3f);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return out.subarray(0, n);
}

/** `"render":"decision",` as the first member of a `plan` document (JSON text or its bytes). */
const RENDER_DECISION = '"render":"decision"';

/**
 * The `plan` document with `"render": "decision"` added: an object is copied with the member
 * set; JSON text (or its bytes) gets it as its first member, so every other byte, and every
 * number's text, is the caller's. A document that is not an object is left for the engine to
 * refuse as `plan` refuses it; one that already has `render` is refused as a duplicate field.
 */
function decisionDocument(document) {
  if (typeof document === 'string') {
    const i = document.search(/\S/);
    if (i < 0 || document[i] !== '{') return document;
    const rest = document.slice(i + 1);
    return `${document.slice(0, i)}{${RENDER_DECISION}${/^\s*\}/.test(rest) ? '' : ','}${rest}`;
  }
  if (document instanceof Uint8Array) {
    let i = 0;
    while (i < document.length && (document[i] === 0x20 || document[i] === 0x0a || document[i] === 0x0d || document[i] === 0x09)) i += 1;
    if (i >= document.length || document[i] !== 0x7b) return document;
    let j = i + 1;
    while (j < document.length && (document[j] === 0x20 || document[j] === 0x0a || document[j] === 0x0d || document[j] === 0x09)) j += 1;
    const member = new TextEncoder().encode(RENDER_DECISION + (document[j] === 0x7d ? '' : ','));
    const out = new Uint8Array(document.length + member.length);
    out.set(document.subarray(0, i + 1), 0);
    out.set(member, i + 1);
    out.set(document.subarray(i + 1), i + 1 + member.length);
    return out;
  }
  if (document !== null && typeof document === 'object' && !Array.isArray(document)) {
    return { ...document, render: 'decision' };
  }
  return document;
}

function failureEnvelope(error) {
  return { ok: false, error: error.toJSON() };
}

function createApi(glue) {
  // JS names are camelCase (`parseAmount`); the core's are snake_case (`parse_amount`). The core
  // decides which operations exist, so operations it gains later work here unchanged.
  function operationName(operation) {
    if (typeof operation !== 'string') {
      throw inputError('', `the operation must be a string such as "plan", got ${typeof operation}`);
    }
    return operation.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  }

  function callEngine(name, text) {
    glue.ready();
    try {
      return typeof text === 'string' ? glue.runJson(name, text) : glue.runJsonBytes(name, text);
    } catch (cause) {
      // A trap (the core is panic-free, so this is a bug) poisons the instance: start a
      // fresh one so the next call works, and answer this call with the core's own envelope
      // for an internal error (`details.internal_error`), written by the fresh instance;
      // `invoke` throws it as a RefundError like any other failure.
      const what = cause && cause.message ? String(cause.message) : String(cause);
      // If even a fresh instance cannot answer, the module itself is unusable: say so.
      glue.reset();
      return glue.internalErrorJson(what);
    }
  }

  /** The result envelope text for an operation (numbers keep their exact text). */
  function runJson(operation, document) {
    let name;
    let text;
    try {
      name = operationName(operation);
      text = documentText(document);
    } catch (error) {
      if (error instanceof RefundError) return JSON.stringify(failureEnvelope(error));
      throw error;
    }
    return callEngine(name, text);
  }

  /** The result envelope `{ok: true, value}` / `{ok: false, error}` as a plain object. */
  function run(operation, document) {
    return JSON.parse(runJson(operation, document));
  }

  /** The operation's value, or a thrown RefundError. */
  function invoke(operation, document) {
    const envelope = JSON.parse(callEngine(operationName(operation), documentText(document)));
    if (envelope.ok) return envelope.value;
    throw new RefundError(envelope.error);
  }

  return {
    plan: (document) => invoke('plan', document),
    // The decision only (`"render": "decision"`): no explanation, provider bodies or event.
    decide: (document) => invoke('plan', decisionDocument(document)),
    apply: (document) => invoke('apply', document),
    refundable: (document) => invoke('refundable', document),
    options: (document) => invoke('options', document),
    // The provider's own request body for an amount of a scope, written by the core.
    requestBody: (document) => invoke('request_body', document),
    parseAmount: (document) => invoke('parse_amount', document),
    formatAmount: (document) => invoke('format_amount', document),
    invoke,
    run,
    runJson,
    engineVersion: () => {
      glue.ready();
      return glue.engineVersion();
    },
  };
}
