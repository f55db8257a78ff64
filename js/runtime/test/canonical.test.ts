import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { OutOfBounds, canonical, queryString, text, type Inputs } from "../src/canonical";

// The examples mizan's Python suite checks too: one file, both sides.
const vectors = JSON.parse(readFileSync(new URL("../../../spec/canonical-vectors.json", import.meta.url), "utf8")) as {
  values: { type: string; input: unknown; text?: string; error?: "bounds" | "invalid" }[];
  queries: { pairs: [string, string][]; query: string }[];
};

const inputs: Inputs = {
  Filter: { tags: ["[String!]"], limit: ["Int!", 10], since: ["Date"] },
};
const form = (value: unknown, type: string) => text(canonical(value, type, inputs));

describe("the shared vectors: values", () => {
  test.each(vectors.values.map((v) => [v.type, JSON.stringify(v.input), v]))("%s %s", (_type, _input, vector) => {
    const { type, input } = vector;
    // A URL carries lists and objects as JSON text, everything else as text.
    if (vector.text !== undefined) expect(form(input, type)).toBe(vector.text);
    else expect(() => form(input, type)).toThrow(vector.error == "bounds" ? OutOfBounds : TypeError);
  });
});

describe("the shared vectors: query order", () => {
  test.each(vectors.queries.map((q) => [q.query, q]))("%s", (_query, { pairs, query }) => {
    expect(queryString(pairs)).toBe(query);
  });
});

describe("what only a JavaScript caller passes", () => {
  test("Date objects", () => {
    expect(form(new Date("2024-01-02T03:04:05Z"), "DateTime")).toBe("2024-01-02T03:04:05+00:00");
    expect(form(new Date("2024-01-02T03:04:05.120Z"), "DateTime")).toBe("2024-01-02T03:04:05.120000+00:00");
    expect(form(new Date("2024-01-02T03:04:05Z"), "Date")).toBe("2024-01-02");
  });

  test("input objects: sorted fields, defaults omitted", () => {
    expect(form({ tags: "x", limit: 10, since: "2024-01-02" }, "Filter!")).toBe('{"since":"2024-01-02","tags":["x"]}');
    expect(form({ limit: 3 }, "Filter")).toBe('{"limit":3}');
  });

  test("a single value for a list type is a list of one", () => {
    expect(form(4, "[Int!]")).toBe("[4]");
  });

  test("null for a non-null type is refused", () => {
    expect(() => canonical(null, "Int!", inputs)).toThrow(/non-null Int!/);
    expect(() => canonical(1.5, "Int", inputs)).toThrow(TypeError);
  });
});
