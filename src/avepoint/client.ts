/** Authenticated JSON calls: bearer token, one retry with a new token after a 401, JSON parsing. */
import { ParseError, UpstreamHttpError } from "../errors.js";
import type { TokenSource } from "./auth.js";
import type { ApiObserver, Transport } from "./http.js";
import type { CallContext } from "./timing.js";

export interface JsonRequest {
  readonly method: "GET" | "POST";
  /** Path below the API base URL, or an absolute URL on the same origin (OData next links). */
  readonly path: string;
  readonly endpoint: string;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly body?: unknown;
}

export class ApiClient {
  private readonly origin: string;

  constructor(
    private readonly baseUrl: string,
    private readonly transport: Transport,
    private readonly tokens: TokenSource,
    private readonly observer: ApiObserver,
  ) {
    this.origin = new URL(baseUrl).origin;
  }

  /**
   * @throws UpstreamHttpError for a non-2xx answer, ParseError for a body that is not JSON,
   *   AuthError when no token can be had, UpstreamError for timeouts and network failures.
   */
  async json(request: JsonRequest, ctx: CallContext): Promise<unknown> {
    const url = this.url(request);
    const json = request.body === undefined ? undefined : JSON.stringify(request.body);
    const send = (token: string) =>
      this.transport.send(
        {
          method: request.method,
          url,
          endpoint: request.endpoint,
          headers: {
            Authorization: `Bearer ${token}`,
            ...(json === undefined ? {} : { "Content-Type": "application/json" }),
          },
          ...(json === undefined ? {} : { body: json }),
        },
        ctx,
      );
    const token = await this.tokens.get(ctx);
    let response = await send(token);
    if (response.status === 401) {
      // The token was revoked or expired early: one new token, one more try.
      this.tokens.invalidate(token);
      this.observer.retry(request.endpoint, "401");
      response = await send(await this.tokens.get(ctx));
    }
    if (response.status < 200 || response.status > 299)
      throw new UpstreamHttpError(response.status, request.endpoint);
    if (response.status === 204 || response.body.trim() === "") return null;
    try {
      return JSON.parse(response.body) as unknown;
    } catch {
      this.observer.parseError(request.endpoint);
      throw new ParseError(`${request.endpoint} answered with a body that is not JSON`, request.endpoint);
    }
  }

  /** Reports a record that could not be read; the caller decides what fails with it. */
  parseError(endpoint: string): void {
    this.observer.parseError(endpoint);
  }

  private url(request: JsonRequest): string {
    let url: URL;
    if (/^https?:\/\//i.test(request.path)) {
      url = new URL(request.path);
      // A next link elsewhere would carry our token to another host.
      if (url.origin !== this.origin)
        throw new ParseError(`next link points to another host (${url.origin})`, request.endpoint);
    } else {
      url = new URL(this.baseUrl + request.path);
    }
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, String(value));
    return url.toString();
  }
}
