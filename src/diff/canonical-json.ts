/**
 * JSON with object keys sorted at every depth, so equal values give equal text. Array order
 * is kept (it means something). Throws a `TypeError` on values JSON cannot hold faithfully
 * (a `bigint`, a cycle).
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, path: Set<object>): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') {
      throw new TypeError(
        `Expected a JSON value in a spec, got \`${value}n\` (bigint); use a number or a string`,
      );
    }
    // Top-level or array-element undefined and functions become null, as in JSON.stringify.
    return JSON.stringify(value) ?? 'null';
  }
  if (path.has(value))
    throw new TypeError('Expected a JSON value in a spec, got an object that contains itself');
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return write(toJSON.call(value), path);
  path.add(value);
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map((item) => write(item, path)).join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const field = record[key];
      if (field === undefined || typeof field === 'function' || typeof field === 'symbol') continue;
      parts.push(`${JSON.stringify(key)}:${write(field, path)}`);
    }
    text = `{${parts.join(',')}}`;
  }
  path.delete(value);
  return text;
}
