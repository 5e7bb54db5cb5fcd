/** Canonical JSON: one serialisation per value, for hashes and deterministic ids. */

/**
 * JSON that is the same bytes for the same data whatever order it was assembled in: keys sorted,
 * 2-space indent, a trailing newline. Undefined properties are left out; a Set (as DynamoDB string
 * sets arrive) becomes a sorted array.
 */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(canonical(value), null, 2)}\n`;
}

function canonical(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(canonical).sort(compareJson);
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : canonical(item)));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, canonical(item)]));
  }
  return value;
}

function compareJson(a: unknown, b: unknown): number {
  const [left, right] = [JSON.stringify(a), JSON.stringify(b)];
  return left < right ? -1 : left > right ? 1 : 0;
}
