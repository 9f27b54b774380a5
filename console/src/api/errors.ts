/** ApiError is a failed API call: status 0 means the network failed before any answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The API's error kind ("unauthorized", "not_found", "invalid", …) or "network". */
    readonly code: string,
    /** The API's message, safe to show; may be empty. */
    readonly detail: string,
  ) {
    super(detail || code || `HTTP ${status}`);
    this.name = "ApiError";
  }

  get unauthorized() {
    return this.status === 401;
  }
  get notFound() {
    return this.status === 404;
  }
  /** stale: a change sent with If-Match for a version news has overtaken (412); nothing changed. */
  get stale() {
    return this.status === 412;
  }
}

/** errorFromResponse reads the API's {error, message} body, tolerating anything else. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let code = "";
  let message = "";
  try {
    const body = (await res.json()) as { error?: unknown; message?: unknown };
    if (typeof body.error === "string") code = body.error;
    if (typeof body.message === "string") message = body.message;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return new ApiError(res.status, code || `http_${res.status}`, message);
}
