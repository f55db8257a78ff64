import type { FormEvent } from "react";
import { useContactForm } from "../../example/src/mizan";
import { Field } from "./Field";

const TEXT = [
  ["name", "Your name"],
  ["email", "Email"],
] as const;

export function Contact() {
  // Each field is checked when it loses focus: by the form's Zod schema, then by the server's
  // Django form (contact.validate), whose errors replace the schema's.
  const form = useContactForm();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await form.submit();
  };
  if (form.result)
    return (
      <p className="sent">
        Thank you: your message is <b>{form.result.reference}</b>; we reply within {form.result.replyWithinDays} days.
      </p>
    );
  return (
    <>
      <h1>Contact us</h1>
      <form onSubmit={submit} noValidate>
        {TEXT.map(([name, label]) => (
          <Field key={name} label={label} errors={form.errors[name]}>
            <input {...form.field(name)} value={String(form.values[name] ?? "")} />
          </Field>
        ))}
        <Field label="Topic" errors={form.errors.topic}>
          <select {...form.field("topic")} value={String(form.values.topic ?? "")}>
            <option value="">Choose…</option>
            <option value="general">General</option>
            <option value="billing">Billing</option>
            <option value="press">Press</option>
          </select>
        </Field>
        <Field label="Order number (billing)" errors={form.errors.orderNumber}>
          <input {...form.field("orderNumber")} value={String(form.values.orderNumber ?? "")} inputMode="numeric" />
        </Field>
        <Field label="Message" errors={form.errors.message}>
          <textarea {...form.field("message")} value={String(form.values.message ?? "")} rows={4} />
        </Field>
        {form.nonFieldErrors.map((message) => (
          <p key={message} className="error">
            {message}
          </p>
        ))}
        <button disabled={form.isSubmitting}>Send</button>
      </form>
    </>
  );
}
