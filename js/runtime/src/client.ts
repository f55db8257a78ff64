import { createClient, type Client as SocketClient } from "graphql-ws";
import { canonical, queryString, text, type Inputs } from "./canonical";

/** One variable: its name in TypeScript, in the document (Python's), its GraphQL type and default. */
export type Variable = [name: string, python: string, type: string, fallback?: unknown];

/** A generated operation; `V` and `R` are its variables and result, for the hooks' types. */
export interface Operation<V = any, R = any> {
  name: string;
  kind: "query" | "mutation" | "subscription";
  /** The root field whose value is the result; "" for a context's bundle (every field). */
  field: string;
  document: string;
  /** The persisted GET path ("ctx/user/", "q/Greeting/"), when the query has one. */
  path?: string;
  variables: Variable[];
  /** The context the operation reads, and that context's key params (Python names). */
  context?: string;
  keys?: string[];
  /** The provider a hook of this context needs, for the error when it is missing. */
  provider?: string;
  readonly types?: [V, R];
}

/** What the generator knows about the server it read. */
export interface Schema {
  hash: string;
  csrfCookie: string;
  csrfHeader: string;
  maxUrlLength: number;
  inputs: Inputs;
  global?: Operation;
}

export interface Invalidation {
  context: string;
  params: Record<string, unknown>;
}

export interface ClientOptions {
  /** Where `mizan.urls` is included: "/api/mizan/" (default), or an absolute URL. */
  endpoint?: string;
  credentials?: RequestCredentials;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** A WebSocket class for graphql-ws where there is no global one (Node: `ws`). */
  webSocketImpl?: unknown;
  /** Called once when the server's schema is not the one this client was generated from. */
  onSchemaDrift?: (drift: { expected: string; actual: string }) => void;
}

export interface GraphQLErrorLike {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export class MizanRequestError extends Error {
  constructor(
    readonly errors: GraphQLErrorLike[],
    readonly status: number,
    readonly data?: unknown,
  ) {
    super(errors.map((e) => e.message).join("; "));
    this.name = "MizanRequestError";
  }
  /** The first error's `extensions.code` (UNAUTHENTICATED, BAD_USER_INPUT, ...). */
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

type Vars = Record<string, unknown>;

export class MizanClient {
  private drifted = false;
  private socket?: SocketClient;
  connected = false;
  readonly listeners = new Set<(connected: boolean) => void>();

  constructor(
    readonly schema: Schema,
    readonly options: ClientOptions = {},
    public onInvalidate: (items: Invalidation[]) => void = () => {},
  ) {}

  get endpoint(): string {
    return this.options.endpoint ?? "/api/mizan/";
  }

  /** The canonical value text of each given variable, by its Python name; defaults omitted. */
  canonical(op: Operation, vars: Vars): Record<string, string> {
    const found: Record<string, string> = {};
    for (const [name, python, type, fallback] of op.variables) {
      if (vars[name] == null) continue;
      const value = text(canonical(vars[name], type, this.schema.inputs));
      if (fallback === undefined || value != text(canonical(fallback, type, this.schema.inputs))) found[python] = value;
    }
    return found;
  }

  /** The query's canonical persisted GET URL, or undefined when it must be POSTed. */
  url(op: Operation, vars: Vars): string | undefined {
    if (!op.path) return;
    let found: Record<string, string>;
    try {
      found = this.canonical(op, vars);
    } catch {
      return; // no canonical form: POSTed, and the server names the bad value
    }
    const query = queryString(Object.entries(found));
    const url = this.endpoint + op.path + (query && "?" + query);
    const path = new URL(url, "http://x").pathname;
    if (path.length + 1 + query.length <= this.schema.maxUrlLength) return url;
  }

  /** Run an operation over HTTP: queries as their GET URL, the rest (and long ones) POSTed. */
  async request<V, R>(op: Operation<V, R>, vars: V): Promise<R> {
    const given = vars as Vars;
    const url = op.kind == "query" ? this.url(op, given) : undefined;
    const headers: Record<string, string> = { ...this.options.headers };
    let body: BodyInit | undefined;
    if (!url) {
      const token = csrfToken(this.schema.csrfCookie);
      if (token) headers[this.schema.csrfHeader] = token;
      const payload = { query: op.document, operationName: op.name, variables: python(op, given) };
      const files = new Map<Blob, string[]>();
      const operations = JSON.stringify(payload, function (this: unknown, key, value) {
        if (!(value instanceof Blob)) return value;
        files.set(value, [...(files.get(value) ?? []), "variables." + path(this, payload.variables, key)]);
        return null;
      });
      if (files.size) {
        // The GraphQL multipart request spec: operations, a map of files to variables, files.
        const form = new FormData();
        form.append("operations", operations);
        form.append("map", JSON.stringify(Object.fromEntries([...files.values()].map((p, i) => [i, p]))));
        [...files.keys()].forEach((file, i) => form.append(String(i), file));
        body = form;
      } else {
        headers["Content-Type"] = "application/json";
        body = operations;
      }
    }
    const response = await (this.options.fetch ?? fetch)(url ?? this.endpoint + "graphql/", {
      method: url ? "GET" : "POST",
      credentials: this.options.credentials ?? "same-origin",
      headers,
      body,
    });
    this.check(response.headers.get("X-Mizan-Schema"));
    const result = await response.json().catch(() => ({
      errors: [{ message: `${response.status} ${response.statusText}`.trim() }],
    }));
    const items = result.extensions?.invalidate ?? parseInvalidate(response.headers.get("X-Mizan-Invalidate"));
    if (items.length) this.onInvalidate(items);
    if (result.errors?.length || !response.ok) throw new MizanRequestError(result.errors ?? [], response.status, result.data);
    return op.field ? result.data[op.field] : result.data;
  }

  /** Subscribe over graphql-ws; returns the function that unsubscribes. */
  subscribe<V, R>(
    op: Operation<V, R>,
    vars: V,
    sink: { next(value: R): void; error(error: unknown): void; complete(): void },
  ): () => void {
    this.socket ??= createClient({
      url: new URL(this.endpoint + "graphql/", globalThis.location?.href).href.replace(/^http/, "ws"),
      webSocketImpl: this.options.webSocketImpl,
      on: {
        connected: (_socket, payload) => {
          this.check((payload as { schema?: string } | undefined)?.schema);
          this.status(true);
        },
        closed: () => this.status(false),
      },
    });
    return this.socket.subscribe<Record<string, R>>(
      { query: op.document, operationName: op.name, variables: python(op, vars as Vars) },
      {
        next: (result) =>
          result.errors?.length ? sink.error(new MizanRequestError(result.errors as GraphQLErrorLike[], 200)) : sink.next(result.data![op.field]!),
        error: sink.error,
        complete: sink.complete,
      },
    );
  }

  private status(connected: boolean): void {
    this.connected = connected;
    this.listeners.forEach((listener) => listener(connected));
  }

  /** Compare the server's schema hash with this client's, warning once when they differ. */
  check(actual: string | null | undefined): void {
    const expected = this.schema.hash;
    if (!actual || actual == expected || this.drifted) return;
    this.drifted = true;
    console.warn(`mizan: this client was generated from schema ${expected}; the server runs ${actual}. Run export_client again.`);
    this.options.onSchemaDrift?.({ expected, actual });
  }
}

/** Variables by their names in the document (the Python names). */
function python(op: Operation, vars: Vars): Vars {
  const found: Vars = {};
  for (const [name, py] of op.variables) if (vars[name] !== undefined) found[py] = vars[name];
  return found;
}

/** The dotted path of `key` in `holder`, found from the variables' root. */
function path(holder: unknown, root: unknown, key: string): string {
  const walk = (value: unknown, at: string): string | undefined => {
    if (value === holder) return at + key;
    if (value && typeof value == "object")
      for (const [k, v] of Object.entries(value)) {
        const found = walk(v, at + k + ".");
        if (found) return found;
      }
  };
  return walk(root, "")!;
}

/** Django's CSRF token: its cookie (rotated at login), else what {% mizan_hydrate %} embedded. */
export function csrfToken(cookie: string): string | undefined {
  if (typeof document == "undefined") return;
  const found = document.cookie.match(new RegExp("(?:^|; )" + cookie + "=([^;]*)"));
  if (found) return decodeURIComponent(found[1]!);
  const embedded = document.getElementById("mizan-csrf")?.textContent;
  return embedded ? JSON.parse(embedded) : undefined;
}

/** `X-Mizan-Invalidate: user;user_id=5, notes` (an RFC 8941 list) as invalidation items. */
export function parseInvalidate(header: string | null): Invalidation[] {
  const items: Invalidation[] = [];
  for (const [, context, rest] of (header ?? "").matchAll(/([^\s,;]+)((?:;[^;,=\s]+(?:=(?:"(?:[^"\\]|\\.)*"|[^;,\s]*))?)*)/g)) {
    const params: Record<string, unknown> = {};
    for (const [, name, value] of rest!.matchAll(/;([^;=]+)=("(?:[^"\\]|\\.)*"|[^;]*)/g))
      params[name!] = value![0] == '"' ? JSON.parse(value!) : value == "?1" ? true : value == "?0" ? false : Number(value);
    items.push({ context: context!, params });
  }
  return items;
}
