// One text form per value of each GraphQL type, and one order of parameters: the rules of
// mizan's server (mizan/persisted/canonical.py), so a URL built here is the one the server
// and the edge cache keep. The shared vectors in spec/ check both sides.

/** Input object types by name: each field's type and, when it has one, its default. */
export type Inputs = Record<string, Record<string, [type: string, fallback?: unknown]>>;

/** A Float, kept apart from an Int because Python spells it differently (`5.0`). */
class Float {
  constructor(readonly value: number) {}
}

export function canonical(value: unknown, type: string, inputs: Inputs): unknown {
  if (type.endsWith("!")) {
    if (value == null) throw new TypeError(`null for a non-null ${type}`);
    return canonical(value, type.slice(0, -1), inputs);
  }
  if (value == null) return null;
  if (type[0] == "[") {
    const item = type.slice(1, -1);
    return (Array.isArray(value) ? value : [value]).map((v) => canonical(v, item, inputs));
  }
  const fields = inputs[type];
  if (fields) {
    const given = value as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    for (const name of Object.keys(fields).sort()) {
      const [fieldType, fallback] = fields[name]!;
      if (given[name] === undefined) continue;
      const item = canonical(given[name], fieldType, inputs);
      if (fallback === undefined || text(item) != text(fallback)) result[name] = item;
    }
    return result;
  }
  switch (type) {
    case "Int": {
      const number = Number(value);
      if (typeof value == "boolean" || !Number.isInteger(number)) throw new TypeError(`${value} is not an Int`);
      return number;
    }
    case "Float":
      return new Float(Number(value));
    case "Boolean":
      return value === true || value === "true" || value === "1";
    case "Decimal":
      return decimal(String(value));
    case "UUID":
      return String(value).toLowerCase();
    case "Date":
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    case "DateTime":
      return value instanceof Date
        ? value.toISOString().replace(/\.000Z$|Z$/, "+00:00").replace(/(\.\d{3})\+/, "$1000+")
        : String(value);
    case "JSON":
      return value;
  }
  return typeof value == "object" ? value : String(value);
}

function decimal(value: string): string {
  const match = /^([+-]?)0*(\d*)(?:\.(\d*?)0*)?$/.exec(value.trim());
  if (!match) return value;
  const [, sign, whole, fraction] = match;
  const digits = (whole || "0") + (fraction ? "." + fraction : "");
  return digits == "0" ? digits : (sign == "-" ? "-" : "") + digits;
}

function float(value: number): string {
  const size = Math.abs(value);
  if (size && (size >= 1e16 || size < 1e-4)) {
    return value.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  }
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** A canonical value's text, as a URL carries it: JSON (sorted keys) for lists and objects. */
export function text(value: unknown): string {
  if (value instanceof Float) return float(value.value);
  return typeof value == "object" && value ? json(value) : String(value);
}

function json(value: unknown): string {
  if (value instanceof Float) return float(value.value);
  if (Array.isArray(value)) return "[" + value.map(json).join(",") + "]";
  if (value && typeof value == "object") {
    const object = value as Record<string, unknown>;
    return "{" + Object.keys(object).sort().map((k) => JSON.stringify(k) + ":" + json(object[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}

/** Percent-encoding as Python's `quote(text, safe="")`: everything but `A-Za-z0-9_.-~`. */
export function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}
