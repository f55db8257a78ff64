// One text form per value of each GraphQL type, and one order of parameters: the rules of
// mizan's server (mizan/canonical.py), so a URL built here is the one the server and the
// edge cache keep. The shared vectors in spec/canonical-vectors.json check both sides.

/** Input object types by name: each field's type and, when it has one, its default. */
export type Inputs = Record<string, Record<string, [type: string, fallback?: unknown]>>;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
/** A Decimal has at most this many digits before its point, and as many after it. */
export const DECIMAL_DIGITS = 50;

/** A valid value of its type that has no canonical form (the server answers it with a 400). */
export class OutOfBounds extends RangeError {}

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
    case "Int":
      return integer(value);
    case "Float": {
      const number = typeof value == "boolean" ? NaN : Number(value);
      if (!Number.isFinite(number) || value === "") throw new TypeError(`${value} is not a finite Float`);
      return number + 0; // -0 is 0
    }
    case "Boolean":
      return boolean(value);
    case "Decimal":
      return decimal(value);
    case "UUID":
      return uuid(String(value));
    case "Date":
      return value instanceof Date ? value.toISOString().slice(0, 10) : date(String(value));
    case "DateTime":
      return dateTime(value instanceof Date ? value.toISOString() : String(value));
    case "Time":
      return time(String(value));
    case "JSON":
      return value;
  }
  return typeof value == "object" ? value : String(value);
}

function integer(value: unknown): number {
  const spelled = typeof value == "number" ? String(value) : value;
  if (typeof spelled != "string" || !/^[+-]?\d+$/.test(spelled)) throw new TypeError(`${value} is not an Int`);
  const digits = spelled.replace(/^[+-]?0*/, "");
  const number = digits.length > 10 ? Infinity : Number(spelled);
  if (!(number >= INT_MIN && number <= INT_MAX)) {
    throw new OutOfBounds(`${spelled} is outside Int's 32 bits (${INT_MIN} to ${INT_MAX})`);
  }
  return number + 0;
}

function boolean(value: unknown): boolean {
  const spelled = String(value).toLowerCase();
  if (spelled == "true" || spelled == "1") return true;
  if (spelled == "false" || spelled == "0") return false;
  throw new TypeError(`${value} is not true or false`);
}

/** Plain digits, no exponent or trailing zeros; read digit by digit (`1e10000000` is out of
 * bounds, never a number). */
function decimal(value: unknown): string {
  const spelled = String(value);
  const match = typeof value == "boolean" ? null : /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(spelled);
  if (!match || !(match[2] || match[3])) throw new TypeError(`${spelled} is not a finite decimal`);
  const [, sign, whole = "", fraction = "", power = ""] = match;
  if (power.replace(/^[+-]?0*/, "").length > 9) throw new OutOfBounds(`exponent ${power} is too large`);
  const digits = (whole + fraction).replace(/^0+/, "");
  const stripped = digits.replace(/0+$/, "");
  if (!stripped) return "0";
  const exponent = Number(power || 0) - fraction.length + digits.length - stripped.length;
  const before = stripped.length + exponent;
  if (before > DECIMAL_DIGITS || -exponent > DECIMAL_DIGITS) {
    throw new OutOfBounds(`a Decimal has at most ${DECIMAL_DIGITS} digits before its point and ${DECIMAL_DIGITS} after it`);
  }
  const body =
    exponent >= 0
      ? stripped + "0".repeat(exponent)
      : before > 0
        ? stripped.slice(0, before) + "." + stripped.slice(before)
        : "0." + "0".repeat(-before) + stripped;
  return (sign == "-" ? "-" : "") + body;
}

function uuid(value: string): string {
  const hex = value.toLowerCase().replace(/^\{|\}$/g, "").replace(/^urn:uuid:/, "").replaceAll("-", "");
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new TypeError(`${value} is not a UUID`);
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}

function date(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const [, year, month, day] = match ?? [];
  const check = match && new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (!check || check.getUTCMonth() != Number(month) - 1 || check.getUTCDate() != Number(day)) {
    throw new TypeError(`${value} is not a date`);
  }
  return value;
}

/** `HH:MM[:SS[.ffffff]]` and an offset, as Python's isoformat writes them. */
function time(value: string): string {
  const match = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!match) throw new TypeError(`${value} is not a time`);
  const [, hours, minutes, seconds = "00", fraction = "", offset = ""] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) throw new TypeError(`${value} is not a time`);
  const micro = fraction.padEnd(6, "0");
  return `${hours}:${minutes}:${seconds}${/^0*$/.test(micro) ? "" : "." + micro}${offset == "Z" ? "+00:00" : offset}`;
}

function dateTime(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](.*)$/.exec(value);
  if (!match) throw new TypeError(`${value} is not a date and time`);
  return date(match[1]!) + "T" + time(match[2]!);
}

/** A canonical value's text, as a URL carries it: numbers as `String(number)` writes them,
 * JSON (sorted keys) for lists and objects. */
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

/** Percent-encoding as Python's `quote(text, safe="")`: everything but `A-Za-z0-9_.-~`. */
export function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The canonical query string of `name=value` pairs: each percent-encoded, sorted by their
 * bytes, as Varnish's std.querysort sorts them (`u2=6&u=5`: "2" sorts before "="). */
export function query(pairs: Iterable<[string, string]>): string {
  return [...pairs].map(([name, value]) => encode(name) + "=" + encode(value)).sort().join("&");
}
