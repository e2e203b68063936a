// Real HTTP calls against a test server.
export type Api = ReturnType<typeof apiClient>;

export function apiClient(baseUrl: string, token: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  return {
    call,
    products: () => call("GET", "/api/v1/products"),
    patch: (id: number, body: unknown) => call("PATCH", `/api/v1/products/${id}`, body),
    adjust: (id: number, body: unknown) => call("POST", `/api/v1/products/${id}/stock-adjustments`, body),
  };
}

/** Signs in through POST /api/v1/session as a browser on `baseUrl` would; returns the session cookie. */
export async function signIn(baseUrl: string, email: string, password: string) {
  const response = await fetch(`${baseUrl}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email, password }),
  });
  const setCookie = response.headers.get("set-cookie") ?? "";
  const cookie = /^(stockpulse_session=[^;]+)/.exec(setCookie)?.[1] ?? "";
  return { status: response.status, body: await response.json(), setCookie, cookie, headers: response.headers };
}

/** A request with a session cookie (and, unless told otherwise, our own Origin). */
export async function withCookie(
  baseUrl: string,
  cookie: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    redirect: "manual",
    headers: {
      cookie,
      origin: baseUrl,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // an HTML page
  }
  return {
    status: response.status,
    body: json as { error?: { code: string; message: string } } | null,
    text,
    headers: response.headers,
  };
}
