/** An error answered by the admin API (its envelope), or the gateway not answering at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

interface ErrorEnvelope {
  error?: { message?: unknown; code?: unknown; param?: unknown };
}

export type Unauthorized = (message: string) => void;

/**
 * The console's only way to the gateway: the admin API, with the admin token as a bearer token.
 * A 401 from any call ends the session (the token was changed or is wrong) and says why.
 */
export class AdminApi {
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: Unauthorized = () => undefined,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PATCH', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PUT', path, body);
  }

  delete(path: string): Promise<unknown> {
    return this.json('DELETE', path);
  }

  /** A text answer (CSV), e.g. for a download. */
  async text(path: string): Promise<string> {
    const response = await this.send('GET', path);
    return response.text();
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(
        response.status,
        'bad_answer',
        'The gateway answered something that is not JSON.',
      );
    }
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      throw new ApiError(0, 'network_error', 'The gateway did not answer. Is it running?');
    }
    if (response.ok) return response;
    const error = await errorOf(response);
    if (response.status === 401) this.onUnauthorized(error.message);
    throw error;
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  let envelope: ErrorEnvelope | undefined;
  try {
    envelope = (await response.json()) as ErrorEnvelope;
  } catch {
    envelope = undefined;
  }
  const error = envelope?.error;
  const message =
    typeof error?.message === 'string'
      ? error.message
      : `The gateway answered ${response.status} ${response.statusText}.`;
  return new ApiError(
    response.status,
    typeof error?.code === 'string' ? error.code : 'http_error',
    message,
    typeof error?.param === 'string' ? error.param : null,
  );
}

/** A query string from the defined, non-empty values, in order. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
