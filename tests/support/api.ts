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
