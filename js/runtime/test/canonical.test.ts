import { describe, expect, test } from "vitest";
import { canonical, encode, text, type Inputs } from "../src/canonical";

const inputs: Inputs = {
  Filter: { tags: ["[String!]"], limit: ["Int!", 10], since: ["Date"] },
};
const form = (value: unknown, type: string) => text(canonical(value, type, inputs));

// Each expectation is what mizan/persisted/canonical.py gives for the same value.
describe("one text form per value", () => {
  test.each([
    [5, "Int!", "5"],
    ["007", "Int", "7"],
    [5, "Float", "5.0"],
    [0.1, "Float", "0.1"],
    [1e16, "Float", "1e+16"],
    [1e-5, "Float", "1e-05"],
    [1.5e-7, "Float", "1.5e-07"],
    [123456789012345.6, "Float", "123456789012345.6"],
    [true, "Boolean", "true"],
    ["1", "Boolean", "true"],
    ["1.50", "Decimal", "1.5"],
    ["-0.0", "Decimal", "0"],
    ["+5", "Decimal", "5"],
    ["100", "Decimal", "100"],
    ["007.10", "Decimal", "7.1"],
    ["0B5F6C1A-0000-4000-8000-00000000000A", "UUID", "0b5f6c1a-0000-4000-8000-00000000000a"],
    [new Date("2024-01-02T03:04:05Z"), "DateTime", "2024-01-02T03:04:05+00:00"],
    [new Date("2024-01-02T03:04:05.120Z"), "DateTime", "2024-01-02T03:04:05.120000+00:00"],
    [new Date("2024-01-02T03:04:05Z"), "Date", "2024-01-02"],
    ["EN", "Language", "EN"],
    [[3, 1], "[Int!]!", "[3,1]"],
    [4, "[Int!]", "[4]"],
    [{ b: [1, 2.0], a: 'é"' }, "JSON", '{"a":"é\\"","b":[1,2]}'],
  ])("%j as %s is %s", (value, type, expected) => {
    expect(form(value, type)).toBe(expected);
  });

  test("input objects: sorted fields, defaults omitted", () => {
    expect(form({ tags: "x", limit: 10, since: "2024-01-02" }, "Filter!")).toBe('{"since":"2024-01-02","tags":["x"]}');
    expect(form({ limit: 3 }, "Filter")).toBe('{"limit":3}');
  });

  test("a Float inside a list keeps Python's spelling", () => {
    expect(form([1, 2.5], "[Float!]")).toBe("[1.0,2.5]");
  });

  test("null for a non-null type is refused", () => {
    expect(() => canonical(null, "Int!", inputs)).toThrow(/non-null Int!/);
    expect(() => canonical(1.5, "Int", inputs)).toThrow(/not an Int/);
  });
});

test("percent-encoding as Python's quote(safe='')", () => {
  expect(encode("a b!'()*~é/&=")).toBe("a%20b%21%27%28%29%2A~%C3%A9%2F%26%3D");
});
