import { useCurrentUser } from "../../example/src/mizan";

export function Home() {
  // Hydrated: {% mizan_hydrate %} embedded the global context, so this renders without a request.
  const { data: me } = useCurrentUser();
  return (
    <>
      <h1>mizan demo</h1>
      {me ? (
        <p className="who">
          Signed in as <b>{me.username}</b>
          {me.isStaff ? " (staff)" : ""}. <a href={`/profile/${me.id}/`}>Your server-rendered profile page</a>
        </p>
      ) : (
        <p className="who">
          Not signed in. <a href="/admin/login/?next=/app/">Log in</a> as <code>demo</code> / <code>demo</code> to rename
          yourself and chat.
        </p>
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
          <a href="/">The server-rendered pages</a>: the same features without a build step.
        </li>
      </ul>
    </>
  );
}
