/**
 * JSON text for any parsed JSON value, however deep. JSON.stringify recurses, so a record nested
 * thousands of levels deep (stored before ingestion capped nesting) overflows the stack halfway
 * through an export and leaves invalid JSON behind; this falls back to an explicit stack.
 */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return stringifyIteratively(value);
  }
}

type Frame = { kind: 'array'; items: unknown[]; next: number } | { kind: 'object'; entries: [string, unknown][]; next: number };

/** JSON.stringify's output for plain JSON data (objects, arrays, strings, numbers, booleans, null). */
export function stringifyIteratively(value: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  // Writes a scalar, or opens a container and returns without writing its members.
  const open = (v: unknown): void => {
    if (Array.isArray(v)) {
      out.push('[');
      stack.push({ kind: 'array', items: v, next: 0 });
    } else if (typeof v === 'object' && v !== null) {
      out.push('{');
      const entries = Object.entries(v).filter(([, child]) => child !== undefined && typeof child !== 'function' && typeof child !== 'symbol');
      stack.push({ kind: 'object', entries, next: 0 });
    } else {
      out.push(JSON.stringify(v) ?? 'null');
    }
  };
  open(value);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.kind === 'array') {
      if (frame.next >= frame.items.length) {
        out.push(']');
        stack.pop();
        continue;
      }
      if (frame.next > 0) out.push(',');
      const item = frame.items[frame.next++];
      open(item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : item);
    } else {
      if (frame.next >= frame.entries.length) {
        out.push('}');
        stack.pop();
        continue;
      }
      if (frame.next > 0) out.push(',');
      const [key, child] = frame.entries[frame.next++]!;
      out.push(`${JSON.stringify(key)}:`);
      open(child);
    }
  }
  return out.join('');
}
