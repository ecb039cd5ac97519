// Shared by the node suite and tools/node/browser-test.mjs: vector loading and the subset match.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const VECTORS = process.env.VECTORS || join(ROOT, 'vectors');

function jsonFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...jsonFiles(path));
    else if (name.endsWith('.json')) out.push(path);
  }
  return out;
}

/**
 * Every case of every vectors/**\/*.json file (new provider directories are picked up as they
 * appear). `text` is the document as JSON text: `input_text` when present (exact number text),
 * else the input re-serialised (JSON.parse keeps number values, not their text).
 */
export function loadVectors(dir = VECTORS) {
  const cases = [];
  for (const file of jsonFiles(dir)) {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    for (const c of doc.cases || []) {
      cases.push({
        file: relative(dir, file),
        name: c.name,
        operation: c.operation,
        input: c.input,
        hasText: typeof c.input_text === 'string',
        text: typeof c.input_text === 'string' ? c.input_text : JSON.stringify(c.input),
        expected: c.expected,
      });
    }
  }
  return cases;
}

/**
 * Where `actual` departs from the `expected` subset (objects by key, arrays element-wise with
 * equal length, numbers by value), or null when it matches.
 */
export function subsetMismatch(expected, actual, path = '') {
  if (expected === null || typeof expected !== 'object') {
    if (typeof expected === 'number' && typeof actual === 'number') {
      return expected === actual ? null : `${path || '/'}: expected ${expected}, got ${actual}`;
    }
    return Object.is(expected, actual)
      ? null
      : `${path || '/'}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path || '/'}: expected an array, got ${JSON.stringify(actual)}`;
    if (actual.length !== expected.length) {
      return `${path || '/'}: expected ${expected.length} elements, got ${actual.length}: ${JSON.stringify(actual)}`;
    }
    for (let i = 0; i < expected.length; i += 1) {
      const m = subsetMismatch(expected[i], actual[i], `${path}/${i}`);
      if (m) return m;
    }
    return null;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
    return `${path || '/'}: expected an object, got ${JSON.stringify(actual)}`;
  }
  for (const key of Object.keys(expected)) {
    if (!(key in actual)) return `${path}/${key}: missing in ${JSON.stringify(actual)}`;
    const m = subsetMismatch(expected[key], actual[key], `${path}/${key}`);
    if (m) return m;
  }
  return null;
}

/** True when every number in a parsed input can cross as a JS number exactly (the binding's rule). */
export function numbersExact(value) {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return false;
    const text = JSON.stringify(value);
    if (Number.isInteger(value)) return Number.isSafeInteger(value);
    return !/e/i.test(text) && text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length <= 15;
  }
  if (Array.isArray(value)) return value.every(numbersExact);
  if (value && typeof value === 'object') return Object.values(value).every(numbersExact);
  return true;
}
