// mizan's GraphiQL: the page (mizan/templates/mizan/graphiql.html) passes its settings as
// JSON; nothing here reaches for another host.
import "graphiql/style.css";
import "./mizan.css";

import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { useOperationsEditorState, useVariablesEditorState } from "@graphiql/react";
import { GraphiQL } from "graphiql";
import { createClient } from "graphql-ws";
import { createRoot } from "react-dom/client";

const config = JSON.parse(document.getElementById("mizan-graphiql-config").textContent);

globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    return new Worker(config.workers[label] ?? config.workers.editor);
  },
};

// Introspection does not carry applied directives, so `@auth(requires: …)` would be invisible
// in the docs pane: the server lists each guarded field's requirement and it is appended to
// the field's description here.
function withAuth(result) {
  const schema = result?.data?.__schema;
  if (!schema) return result;
  for (const type of schema.types) {
    for (const field of type.fields ?? []) {
      const requirement = config.auth[`${type.name}.${field.name}`];
      if (requirement) {
        field.description = [field.description, `**Requires:** ${requirement}`]
          .filter(Boolean)
          .join("\n\n");
      }
    }
  }
  return result;
}

const fetchWithCsrf = (input, init = {}) =>
  fetch(input, {
    ...init,
    credentials: "same-origin",
    headers: { ...init.headers, "X-CSRFToken": config.csrfToken },
  });

const base = createGraphiQLFetcher({
  url: config.url,
  fetch: fetchWithCsrf,
  // Subscriptions over graphql-ws on the same URL, opened on the first one.
  wsClient: config.subscriptionUrl
    ? createClient({ url: new URL(config.subscriptionUrl, window.location.href).href.replace(/^http/, "ws") })
    : undefined,
});

function fetcher(params, options) {
  const result = base(params, options);
  return typeof result?.then === "function" ? result.then(withAuth) : result;
}

function Examples() {
  const [, setQuery] = useOperationsEditorState();
  const [, setVariables] = useVariablesEditorState();
  return (
    <div className="mizan-examples">
      <div className="graphiql-doc-explorer-title">Examples</div>
      <p>
        mizan's persisted operations: each is also served as a cacheable <code>GET</code> URL.
        Choose one to load it into the editor.
      </p>
      {config.examples.length === 0 ? <p>This schema has no persisted operations.</p> : null}
      <ul>
        {config.examples.map((example) => (
          <li key={example.name}>
            <button
              type="button"
              className="graphiql-un-styled"
              onClick={() => {
                setQuery(example.query);
                setVariables(example.variables);
              }}
            >
              {example.name}
            </button>
            <span className="mizan-examples-url">{example.url}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ExamplesIcon() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true">
      <path fill="none" stroke="currentColor" strokeWidth="1.5" d="M5 4h14v16H5zM8 8h8M8 12h8M8 16h5" />
    </svg>
  );
}

const examples = { title: "Examples", icon: ExamplesIcon, content: Examples };

// `?query=`, `?variables=` and `?operationName=` links open prefilled; the address follows
// the editor, so it can be copied and shared.
const params = new URLSearchParams(window.location.search);
function remember(key) {
  return (value) => {
    const next = new URLSearchParams(window.location.search);
    if (value) next.set(key, value);
    else next.delete(key);
    const search = next.toString();
    window.history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
  };
}

createRoot(document.getElementById("graphiql")).render(
  <GraphiQL
    fetcher={fetcher}
    defaultQuery={config.defaultQuery}
    initialQuery={params.get("query") ?? undefined}
    initialVariables={params.get("variables") ?? undefined}
    plugins={[examples]}
    onEditQuery={remember("query")}
    onEditVariables={remember("variables")}
    onEditOperationName={remember("operationName")}
  />,
);
