// The WebAssembly side of scripts/test-zz-differential: reads cases as JSON lines on stdin
// (`{"op", "b64", "as"}`), runs each through the package's text entry point `runJson` (and,
// for text cases, its byte entry point too) and writes one JSON line per case:
// `{"envelope": "<the envelope text>", "bytes_envelope": "<same via Uint8Array>"|null}`.
//
// How a case reaches this surface (`as`):
//   "text"  valid UTF-8: decoded to a JS string (exactly the document's text).
//   "wtf8"  UTF-8 except for lone surrogates (WTF-8): decoded to a JS string holding them, as a
//           JS caller would have it (the CLI reads the same bytes).
//   "bytes" anything else (invalid UTF-8 cannot be a JS string): passed as a Uint8Array.
'use strict';

const readline = require('node:readline');
const path = require('node:path');

const pkg = process.env.WASM_PKG || path.resolve(__dirname, '../../bindings/wasm/pkg/node/index.cjs');
const { runJson } = require(pkg);

/** Decodes WTF-8 (UTF-8 that may encode lone surrogates) into a JS string; null if not WTF-8. */
function decodeWtf8(bytes) {
  let out = '';
  let units = [];
  let afterHigh = false;
  const flush = () => {
    out += String.fromCharCode(...units);
    units = [];
  };
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let cp;
    let n;
    if (b < 0x80) {
      cp = b;
      n = 1;
    } else if (b >= 0xc2 && b < 0xe0) {
      cp = b & 0x1f;
      n = 2;
    } else if (b >= 0xe0 && b < 0xf0) {
      cp = b & 0x0f;
      n = 3;
    } else if (b >= 0xf0 && b < 0xf5) {
      cp = b & 0x07;
      n = 4;
    } else {
      return null;
    }
    if (i + n > bytes.length) return null;
    for (let k = 1; k < n; k += 1) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (c & 0x3f);
    }
    const min = [0, 0, 0x80, 0x800, 0x10000][n];
    if (cp < min || cp > 0x10ffff) return null;
    // WTF-8 never encodes a surrogate pair as two 3-byte sequences (CESU-8).
    if (cp >= 0xdc00 && cp < 0xe000 && afterHigh) return null;
    afterHigh = cp >= 0xd800 && cp < 0xdc00;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    if (units.length > 4096) flush();
    i += n;
  }
  flush();
  return out;
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  if (line === '') return;
  const c = JSON.parse(line);
  const bytes = new Uint8Array(Buffer.from(c.b64, 'base64'));
  let envelope;
  let bytesEnvelope = null;
  if (c.as === 'bytes') {
    envelope = runJson(c.op, bytes);
  } else {
    const text = c.as === 'text' ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) : decodeWtf8(bytes);
    if (text === null) throw new Error(`case is not ${c.as}`);
    envelope = runJson(c.op, text);
    bytesEnvelope = runJson(c.op, bytes);
  }
  process.stdout.write(`${JSON.stringify({ envelope, bytes_envelope: bytesEnvelope })}\n`);
});
