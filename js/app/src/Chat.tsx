import { useState, type FormEvent } from "react";
import { useChatChannel, useCurrentUser } from "../../example/src/mizan";
import { LogIn } from "./Me";

export function Chat() {
  const { data: me } = useCurrentUser();
  const room = new URLSearchParams(window.location.search).get("room") || "lobby";
  if (!me) return <LogIn what="chat" />;
  return <Room room={room} />;
}

function Room({ room }: { room: string }) {
  // A subscription over the WebSocket (graphql-ws); send() posts through the channel's receive().
  const channel = useChatChannel({ room });
  const [text, setText] = useState("");
  const post = async (event: FormEvent) => {
    event.preventDefault();
    await channel.send({ text });
    setText("");
  };
  return (
    <>
      <h1>#{room}</h1>
      <p className="status" data-status={channel.status}>
        {channel.status === "open" ? "Connected" : channel.status}. Open this page in a second tab and talk to
        yourself.
      </p>
      <ol className="log" aria-live="polite">
        {channel.messages.map((message, index) => (
          <li key={index}>
            <b>{message.author}</b>: {message.text}
          </li>
        ))}
      </ol>
      <form onSubmit={post}>
        <input name="text" value={text} onChange={(event) => setText(event.target.value)} placeholder="Say something" maxLength={500} required />{" "}
        <button disabled={channel.status !== "open"}>Send</button>
      </form>
    </>
  );
}
