// The example of docs/guides/frontend.md, type-checked (a test keeps the two the same).
import { createRoot } from "react-dom/client";
import {
  MizanProvider, UserProvider, useCurrentUser, useUserProfile, useUserNotes,
  useRename, useContactForm, useChatChannel,
} from "./mizan";

function Me() {
  const me = useCurrentUser();                 // @client(context="global") current_user
  return <p>{me.data ? `Hello ${me.data.username}` : "Not logged in"}</p>;
}

function Profile() {
  const profile = useUserProfile();            // context "user": from <UserProvider>'s bundle
  const latest = useUserNotes({ limit: 3 });   // other values: its own q/UserNotes/ URL
  const rename = useRename();                  // @client(affects="user") rename
  if (!profile.data) return <p>Loading…</p>;
  const { userId, displayName } = profile.data;
  return (
    <section>
      <h2>{displayName}</h2>
      <ul>{latest.data?.map((note) => <li key={note.id}>{note.text}</li>)}</ul>
      <button
        disabled={rename.isPending}
        onClick={() => rename.mutate({ userId, name: "Ada" })}
      >
        Rename
      </button>
      {rename.error && <p role="alert">{rename.error.message}</p>}
    </section>
  );
}

function Contact() {
  const form = useContactForm();               // form "contact"
  if (form.result) return <p>Sent: {form.result.reference}</p>;
  return (
    <form onSubmit={(event) => { event.preventDefault(); void form.submit(); }}>
      <input {...form.field("name")} />
      <input {...form.field("email")} type="email" />
      {form.errors.email?.map((message) => <p key={message}>{message}</p>)}
      <textarea {...form.field("message")} />
      <input {...form.field("attachment")} type="file" />
      {form.nonFieldErrors.map((message) => <p key={message}>{message}</p>)}
      <button disabled={form.isSubmitting}>Send</button>
    </form>
  );
}

function Chat({ room }: { room: string }) {
  const chat = useChatChannel({ room });        // ChatChannel(ReactChannel)
  return (
    <div>
      <p>{chat.status}</p>
      {chat.messages.map((m, i) => <p key={i}>{m.author}: {m.text}</p>)}
      <button onClick={() => chat.send({ text: "hi" })}>Say hi</button>
    </div>
  );
}

createRoot(document.getElementById("root")!).render(
  <MizanProvider>
    <Me />
    <UserProvider userId={5}>
      <Profile />
    </UserProvider>
    <Contact />
    <Chat room="lobby" />
  </MizanProvider>,
);
