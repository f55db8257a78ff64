// A browser's side of the wire for the tests: one cookie jar (as jsdom's page keeps it),
// a fetch that uses it and logs every request, a WebSocket that sends its cookies.
import { CookieJar } from "tough-cookie";
import WebSocket from "ws";

export class Browser {
  readonly jar = new CookieJar();
  readonly requests: string[] = [];

  constructor(readonly origin: string) {}

  fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), this.origin);
    const method = init.method ?? "GET";
    const headers = new Headers(init.headers);
    headers.set("Cookie", await this.jar.getCookieString(url.href));
    if (method != "GET") headers.set("Origin", this.origin);
    const type = init.body instanceof FormData ? " multipart" : "";
    this.requests.push(`${method} ${url.pathname}${url.search}${type}`);
    let body: BodyInit | null | undefined = init.body;
    if (body instanceof FormData) {
      const boundary = "mizan" + Math.random().toString(16).slice(2);
      headers.set("Content-Type", `multipart/form-data; boundary=${boundary}`);
      body = await multipart(body, boundary);
    }
    const response = await fetch(url, { ...init, headers, body });
    for (const cookie of response.headers.getSetCookie()) await this.jar.setCookie(cookie, url.href);
    // What script may read (not the HttpOnly session cookie), as a browser shows it.
    for (const cookie of await this.jar.getCookies(url.href))
      if (!cookie.httpOnly) document.cookie = `${cookie.key}=${cookie.value}; path=/`;
    return response;
  };

  /** Log in through Django's admin login form, as a person would. */
  async login(username: string, password: string): Promise<void> {
    await this.fetch("/admin/login/");
    const token = (await this.jar.getCookies(this.origin)).find((c) => c.key == "csrftoken")!.value;
    const body = new URLSearchParams({ username, password, csrfmiddlewaretoken: token, next: "/" });
    const response = await this.fetch("/admin/login/", {
      method: "POST",
      body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    if (response.status != 302) throw new Error(`Login as ${username} failed (${response.status}).`);
  }

  /** A WebSocket class for graphql-ws that carries this browser's cookies. */
  get WebSocket(): unknown {
    const browser = this;
    return class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        const cookie = browser.jar.getCookieStringSync(url.replace(/^ws/, "http"));
        super(url, protocols, { headers: { Cookie: cookie, Origin: browser.origin } });
      }
    };
  }

  forget(): void {
    this.requests.length = 0;
  }
}

/** A FormData as the multipart body a browser sends. Node's fetch cannot read jsdom's Blobs
 * (they have no stream()), so the tests' browser writes the body itself. */
async function multipart(form: FormData, boundary: string): Promise<Uint8Array<ArrayBuffer>> {
  const parts: (string | Uint8Array)[] = [];
  for (const [name, value] of form.entries()) {
    const file = typeof value == "string" ? "" : `; filename="${value.name}"\r\nContent-Type: ${value.type || "application/octet-stream"}`;
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file}\r\n\r\n`);
    parts.push(typeof value == "string" ? value : new Uint8Array(await value.arrayBuffer()));
    parts.push("\r\n");
  }
  parts.push(`--${boundary}--\r\n`);
  const encoder = new TextEncoder();
  const chunks = parts.map((part) => (typeof part == "string" ? encoder.encode(part) : part));
  const body = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.length, 0));
  chunks.reduce((at, chunk) => (body.set(chunk, at), at + chunk.length), 0);
  return body;
}
