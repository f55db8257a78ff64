// The example project's front end: one page per Django URL (the template demo/app.html
// names it), each on the generated client: hooks, contexts, forms and a channel.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { MizanProvider } from "../../example/src/mizan";
import { Chat } from "./Chat";
import { Contact } from "./Contact";
import { Home } from "./Home";
import { Me } from "./Me";
import "./app.css";

const pages = { home: Home, me: Me, contact: Contact, chat: Chat } as const;
const root = document.getElementById("app")!;
const Page = pages[(root.dataset.page ?? "home") as keyof typeof pages] ?? Home;

createRoot(root).render(
  <StrictMode>
    <MizanProvider>
      <nav>
        <a href="/app/">Home</a> <a href="/app/me/">Profile</a> <a href="/app/contact/">Contact</a>{" "}
        <a href="/app/chat/?room=lobby">Chat</a> <a href="/api/mizan/graphql/">GraphiQL</a>
      </nav>
      <main>
        <Page />
      </main>
    </MizanProvider>
  </StrictMode>,
);
