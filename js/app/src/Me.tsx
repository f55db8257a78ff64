import { useState, type FormEvent } from "react";
import { UserProvider, useCurrentUser, useRename, useUserProfile } from "../../example/src/mizan";

export function Me() {
  const { data: me } = useCurrentUser();
  if (!me) return <LogIn what="see your profile" />;
  return (
    <UserProvider userId={me.id}>
      <Profile userId={me.id} />
    </UserProvider>
  );
}

function Profile({ userId }: { userId: number }) {
  // The bundle of context "user" for this user_id, from its cacheable GET URL (ctx/user/).
  const profile = useUserProfile();
  const rename = useRename();
  const [name, setName] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // The response says `user;user_id=<id>` was invalidated: the client refetches the bundle
    // above, and the name below changes without a reload.
    rename.mutate({ userId, name }, { onSuccess: () => setName("") });
  };
  if (!profile.data) return <p>Loading your profile…</p>;
  return (
    <>
      <h1 className="display-name">{profile.data.displayName}</h1>
      <p>
        @{profile.data.username} · {profile.data.noteCount} notes ·{" "}
        <a href={`/profile/${userId}/`}>server-rendered page</a>
      </p>
      <form onSubmit={submit}>
        <label>
          New display name <input name="name" value={name} onChange={(event) => setName(event.target.value)} required />
        </label>{" "}
        <button disabled={rename.isPending}>Rename</button>
      </form>
      {rename.error ? <p className="error">{rename.error.message}</p> : null}
    </>
  );
}

export function LogIn({ what }: { what: string }) {
  return (
    <p className="who">
      <a href="/app/">Log in</a> (<code>demo</code> / <code>demo</code>) to {what}.
    </p>
  );
}
