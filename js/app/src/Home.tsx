import { useEffect, type FormEvent } from "react";
import { useAccountLoginForm, useAccountLogout, useCurrentUser } from "../../example/src/mizan";
import { Field } from "./Field";

export function Home() {
  // Hydrated: {% mizan_hydrate %} embedded the global context, so this renders without a request;
  // logging in or out invalidates that context, and this line changes without a reload.
  const { data: me } = useCurrentUser();
  const logout = useAccountLogout();
  return (
    <>
      <h1>mizan demo</h1>
      {me ? (
        <p className="who">
          Signed in as <b>{me.username}</b>
          {me.isStaff ? " (staff)" : ""}.{" "}
          <button type="button" onClick={() => logout.mutate({})} disabled={logout.isPending}>
            Log out
          </button>
        </p>
      ) : (
        <>
          <p className="who">
            Not signed in. Log in as <code>demo</code> / <code>demo</code> to rename yourself and chat.
          </p>
          <LogInForm />
        </>
      )}
      <ul>
        <li>
          <a href="/app/me/">Profile</a>: rename yourself; the page updates through mizan's invalidation, no reload.
        </li>
        <li>
          <a href="/app/contact/">Contact</a>: a Django form, checked as you leave each field (Zod, then the server).
        </li>
        <li>
          <a href="/app/chat/?room=lobby">Chat</a>: a channel over WebSocket; open it in two tabs.
        </li>
        <li>
          <a href="/api/mizan/graphql/">GraphiQL</a>: explore and call every function.
        </li>
        <li>
          <a href="/">The server-rendered pages</a>: the same features without a build step
          {me ? (
            <>
              , and <a href={`/profile/${me.id}/`}>your profile page</a> (a view-path function)
            </>
          ) : null}
          .
        </li>
      </ul>
    </>
  );
}

function LogInForm() {
  // django-allauth's login, served by mizan.contrib.allauth as the form `account.login`.
  const form = useAccountLoginForm();
  // This form logs in by username; its optional email starts as "", which the generated Zod
  // schema reads as a (bad) address, so it is left out instead.
  useEffect(() => form.setValue("email", null), []);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await form.submit();
  };
  return (
    <form className="login" onSubmit={submit} noValidate>
      <Field label="Username" errors={form.errors.username}>
        <input {...form.field("username")} value={String(form.values.username ?? "")} autoComplete="username" />
      </Field>
      <Field label="Password" errors={form.errors.password}>
        <input
          {...form.field("password")}
          value={String(form.values.password ?? "")}
          type="password"
          autoComplete="current-password"
        />
      </Field>
      {form.nonFieldErrors.map((message) => (
        <p key={message} className="error" role="alert">
          {message}
        </p>
      ))}
      <button disabled={form.isSubmitting}>Log in</button>
    </form>
  );
}
