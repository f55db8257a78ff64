// One text form per value of each GraphQL type, and one query order: mizan/canonical.py's
// rules, so a URL built here is the one the server and the edge keep. The shared vectors
// (spec/canonical-vectors.json) check both sides.

/** Input object types by name: each field's type and, when it has one, its default. */
export type Inputs = Record<string, Record<string, [type: string, fallback?: unknown]>>;

/** A valid value that mizan gives no canonical form (too large, too precise). */
export class OutOfBounds extends RangeError {}

const invalid = (type: string, value: unknown) => new TypeError(`${JSON.stringify(value)} is not a valid ${type}`);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const ZONE = "(Z|[+-]\\d\\d(?::?\\d\\d(?::?\\d\\d(?:\\.\\d+)?)?)?)?";
const TIME = new RegExp(`^(\\d\\d)(?::?(\\d\\d)(?::?(\\d\\d)(?:[.,](\\d+))?)?)?${ZONE}$`);

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
  const string = String(value);
  switch (type) {
    case "Int": {
      if (typeof value == "boolean" || !(Number.isInteger(value) || /^[+-]?\d+$/.test(string))) throw invalid(type, value);
      const number = Number(value);
      if (string.replace(/^[+-]?0*/, "").length > 10 || number < -(2 ** 31) || number >= 2 ** 31)
        throw new OutOfBounds(`${string} is outside Int's 32 bits`);
      return number || 0;
    }
    case "Float":
      if (typeof value == "boolean" || !(typeof value == "number" || NUMBER.test(string.trim())) || !isFinite(Number(value)))
        throw invalid(type, value);
      return Number(value);
    case "Boolean": {
      const lower = string.toLowerCase();
      if (lower == "true" || lower == "1") return true;
      if (lower == "false" || lower == "0") return false;
      throw invalid(type, value);
    }
    case "Decimal":
      return decimal(string);
    case "UUID": {
      const hex = string.toLowerCase().replace(/^urn:uuid:/, "").replace(/^\{(.*)\}$/, "$1").replace(/-/g, "");
      if (!/^[0-9a-f]{32}$/.test(hex)) throw invalid(type, value);
      return hex.replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
    }
    case "Date":
      return date(value instanceof Date ? value.toISOString().slice(0, 10) : string);
    case "DateTime": {
      const [day, time] = (value instanceof Date ? value.toISOString() : string).split(/[T ]/);
      return date(day!) + "T" + clock(time ?? "00:00");
    }
    case "Time":
      return clock(string);
    case "JSON":
      return value;
  }
  return typeof value == "object" ? value : string;
}

function date(value: string): string {
  const found = /^(\d{4})-?(\d\d)-?(\d\d)$/.exec(value);
  const day = found && new Date(`${found[1]}-${found[2]}-${found[3]}T00:00:00Z`);
  if (!day || isNaN(+day) || day.getUTCDate() != Number(found![3])) throw invalid("Date", value);
  return `${found![1]}-${found![2]}-${found![3]}`;
}

/** A time of day as Python's `isoformat` writes it: seconds always, microseconds when not 0. */
function clock(value: string): string {
  const found = TIME.exec(value);
  if (!found) throw invalid("Time", value);
  const [, hours, minutes = "00", seconds = "00", fraction = "", zone = ""] = found;
  const micro = fraction.slice(0, 6).padEnd(6, "0");
  const offset = zone == "Z" ? "+00:00" : zone.replace(/^([+-]\d\d):?(\d\d)?(?::?(\d\d))?.*$/, (_, h, m = "00", s) => `${h}:${m}${s ? ":" + s : ""}`);
  return `${hours}:${minutes}:${seconds}${+micro ? "." + micro : ""}${offset}`;
}

/** Plain digits, no exponent, no trailing zeros; at most 50 digits either side of the point. */
function decimal(value: string): string {
  const found = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(value);
  if (!found || !(found[2] || found[3])) throw invalid("Decimal", value);
  const [, sign, whole = "", fraction = "", power = "0"] = found;
  const digits = (whole + fraction).replace(/^0+/, "");
  const stripped = digits.replace(/0+$/, "");
  if (!stripped) return "0";
  if (power.replace(/^[+-]?0*/, "").length > 9) throw new OutOfBounds(`exponent ${power} is out of bounds`);
  const exponent = Number(power) - fraction.length + digits.length - stripped.length;
  const before = stripped.length + exponent;
  if (before > 50 || -exponent > 50) throw new OutOfBounds("a Decimal has at most 50 digits before its point and 50 after it");
  const body =
    exponent >= 0
      ? stripped + "0".repeat(exponent)
      : before > 0
        ? stripped.slice(0, before) + "." + stripped.slice(before)
        : "0." + "0".repeat(-before) + stripped;
  return (sign == "-" ? "-" : "") + body;
}

/** A canonical value's text, as a URL carries it: JSON (sorted keys) for lists and objects. */
export function text(value: unknown): string {
  return typeof value == "object" && value ? json(value) : String(value);
}

function json(value: unknown): string {
  if (Array.isArray(value)) return "[" + value.map(json).join(",") + "]";
  if (value && typeof value == "object") {
    const object = value as Record<string, unknown>;
    return "{" + Object.keys(object).sort().map((k) => JSON.stringify(k) + ":" + json(object[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}

/** Percent-encoding of everything but `A-Za-z0-9-._~` (UTF-8, uppercase hex). */
export function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The query string of canonical (name, text) pairs: each `name=value` encoded, sorted by its
 * bytes, as the edge (Varnish's `std.querysort`) sorts them. */
export function queryString(pairs: [string, string][]): string {
  return pairs
    .map(([name, value]) => encode(name) + "=" + encode(value))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join("&");
}
