import type { ReactNode } from "react";

/** A labelled control and the messages the form's checks gave it. */
export function Field({ label, errors, children }: { label: string; errors?: string[]; children: ReactNode }) {
  return (
    <div className="field">
      <label>
        {label}
        {children}
      </label>
      {(errors ?? []).map((message) => (
        <p key={message} className="error" role="alert">
          {message}
        </p>
      ))}
    </div>
  );
}
