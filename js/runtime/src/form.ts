import { useRef, useState } from "react";
import type { ZodType } from "zod";
import type { Operation } from "./client";
import { useMizan } from "./react";

type Values = Record<string, unknown>;
type Errors = Record<string, string[]>;

interface Outcome {
  ok: boolean;
  errors: { field: string; messages: string[] }[];
  nonFieldErrors: string[];
  result?: unknown;
}

/** What a form's fields say about themselves: which hold numbers, which files. */
export interface FormFields {
  numbers: string[];
  files: string[];
  initial: Values;
}

export interface FieldProps {
  name: string;
  value?: string | number | readonly string[];
  checked?: boolean;
  onChange(event: unknown): void;
  onBlur(): void;
}

export interface FormState<I, S> {
  values: Partial<I>;
  /** Messages by field, from the Zod schema or the server, whichever spoke last. */
  errors: Partial<Record<keyof I, string[]>>;
  nonFieldErrors: string[];
  /** Props for an input: `<input {...form.field("email")} />` (file inputs get no `value`). */
  field(name: keyof I & string): FieldProps;
  setValue(name: keyof I & string, value: unknown): void;
  /** Check some fields (all by default): with the schema first, then with the server. */
  validate(fields?: (keyof I & string)[]): Promise<boolean>;
  /** Check everything with the schema, then submit; the server's errors land in `errors`. */
  submit(): Promise<S | undefined>;
  isSubmitting: boolean;
  result?: S;
}

export function useForm<I, S>(
  validateOp: Operation,
  submitOp: Operation,
  schema: ZodType,
  fields: FormFields,
  extra: Values = {},
): FormState<I, S> {
  const { client } = useMizan();
  const [values, setValues] = useState<Values>(fields.initial);
  const [errors, setErrors] = useState<Errors>({});
  const [nonFieldErrors, setNonFieldErrors] = useState<string[]>([]);
  const [isSubmitting, setSubmitting] = useState(false);
  const [result, setResult] = useState<S>();
  // Blur follows a change in the same tick: validation reads the values as they are now.
  const current = useRef(values);
  current.current = values;

  function setValue(name: string, value: unknown): void {
    if (fields.numbers.includes(name)) value = value === "" || value == null ? null : isNaN(Number(value)) ? value : Number(value);
    current.current = { ...current.current, [name]: value };
    setValues(current.current);
  }

  /** Zod's messages for `names`, all fields when undefined; merged into the shown errors. */
  function check(names: string[]): boolean {
    const found: Errors = Object.fromEntries(names.map((n) => [n, []]));
    const parsed = schema.safeParse(current.current);
    for (const issue of parsed.success ? [] : parsed.error.issues) {
      const name = String(issue.path[0]);
      if (name in found) found[name]!.push(issue.message);
    }
    setErrors((shown) => ({ ...shown, ...found }));
    return names.every((n) => !found[n]!.length);
  }

  function apply(outcome: Outcome, names: string[]): void {
    const found: Errors = Object.fromEntries(names.map((n) => [n, []]));
    for (const error of outcome.errors) found[error.field] = error.messages;
    setErrors((shown) => ({ ...shown, ...found }));
    setNonFieldErrors(outcome.nonFieldErrors);
  }

  async function validate(names = Object.keys(fields.initial)): Promise<boolean> {
    if (!check(names)) return false;
    const data = Object.fromEntries(Object.entries(current.current).filter(([n]) => !fields.files.includes(n)));
    const outcome: Outcome = await client.request(validateOp, { ...extra, data, fields: names });
    apply(outcome, names);
    return outcome.ok;
  }

  async function submit(): Promise<S | undefined> {
    const names = Object.keys(fields.initial);
    if (!check(names)) return;
    setSubmitting(true);
    try {
      const outcome: Outcome = await client.request(submitOp, { ...extra, data: current.current });
      apply(outcome, names);
      if (outcome.ok) setResult(outcome.result as S);
      return outcome.ok ? (outcome.result as S) : undefined;
    } finally {
      setSubmitting(false);
    }
  }

  return {
    values: values as Partial<I>,
    errors: errors as FormState<I, S>["errors"],
    nonFieldErrors,
    setValue,
    validate,
    submit,
    isSubmitting,
    result,
    field: (name) => ({
      name,
      ...(fields.files.includes(name)
        ? {}
        : typeof values[name] == "boolean"
          ? { checked: values[name] as boolean }
          : { value: (values[name] ?? "") as string }),
      onChange(event) {
        const target = (event as { target?: HTMLInputElement })?.target;
        setValue(name, !target ? event : target.type == "file" ? (target.files?.[0] ?? null) : target.type == "checkbox" ? target.checked : target.value);
      },
      onBlur: () => void validate([name]).catch(() => {}),
    }),
  };
}
