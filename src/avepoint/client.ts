/**
 * Authenticated JSON calls and the one read path for their answers: bearer token, one retry with a
 * new token after a 401, JSON parsing, records read row by row, next links checked — and every
 * answer or row that is not used counted here, once, with its reason.
 */
import {
  ParseError,
  UpstreamHttpError,
  UpstreamLimitError,
  type ParseProblem,
  isUpstreamLimitError,
  isParseError,
} from "../errors.js";
import type { TokenSource } from "./auth.js";
import type { Transport } from "./transport.js";
import type { ApiObserver } from "./observer.js";
import type { CallContext } from "./call-context.js";
import { streamedRecord } from "./streamed-record.js";

export interface JsonRequest {
  readonly method: "GET" | "POST";
  /** Path below the API base URL (segments already encoded), or `url`. */
  readonly path?: string;
  /** An absolute URL already checked by `link` (OData next links). */
  readonly url?: string;
  readonly endpoint: string;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly body?: unknown;
  /**
   * Read the answer as it streams, keeping only its top-level scalar fields: lists are skipped
   * and stand as their length (daily reports whose object lists may run to hundreds of megabytes).
   */
  readonly streamed?: boolean;
}

export interface Identified {
  readonly id: string;
}

/** The rows of one page: those kept, and how many were malformed. */
export interface Rows<T> {
  readonly kept: T[];
  readonly malformed: number;
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
   *   UpstreamLimitError for an answer over the size limit, AuthError when no token can be had,
   *   UpstreamError for timeouts and network failures.
   */
  async json(request: JsonRequest, ctx: CallContext): Promise<unknown> {
    const url = this.urlOf(request);
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
          ...(request.streamed
            ? { streamInto: (maxKept: number) => streamedRecord(request.endpoint, maxKept) }
            : {}),
        },
        ctx,
      );
    let response;
    try {
      const token = await this.tokens.get(ctx);
      response = await send(token);
      if (response.status === 401) {
        // The token was revoked or expired early: one new token, one more try.
        this.tokens.invalidate(token);
        this.observer.retry(request.endpoint, "401");
        response = await send(await this.tokens.get(ctx));
      }
    } catch (err) {
      if (isUpstreamLimitError(err)) this.rejected(request.endpoint, err.problem, err.message);
      else if (isParseError(err)) this.rejected(request.endpoint, "body", err.message);
      throw err;
    }
    if (response.status < 200 || response.status > 299)
      throw new UpstreamHttpError(response.status, request.endpoint);
    if (request.streamed) return response.status === 204 ? null : (response.value ?? null);
    if (response.status === 204 || response.body.trim() === "") return null;
    try {
      return JSON.parse(response.body) as unknown;
    } catch {
      throw this.unreadable(`${request.endpoint} answered with a body that is not JSON`, request.endpoint);
    }
  }

  /**
   * One answer read by `reader` (which throws ParseError when the body is not the flavor's schema).
   * @throws as `json`, and ParseError (counted as `body`) for an answer the reader refuses.
   */
  async read<T>(
    request: JsonRequest,
    ctx: CallContext,
    reader: (body: unknown, endpoint: string) => T,
  ): Promise<T> {
    const body = await this.json(request, ctx);
    try {
      return reader(body, request.endpoint);
    } catch (err) {
      if (isParseError(err)) this.rejected(request.endpoint, "body", err.message);
      throw err;
    }
  }

  /**
   * The rows of a list answer: a malformed row is skipped (`record`), a row whose ID `seen` already
   * holds is skipped (`duplicate`, first one wins); the others are kept and their IDs added to `seen`.
   */
  records<T extends Identified>(
    items: readonly unknown[],
    endpoint: string,
    map: (record: unknown, endpoint: string) => T,
    seen: Set<string>,
  ): Rows<T> {
    const kept: T[] = [];
    let malformed = 0;
    for (const item of items) {
      let record: T;
      try {
        record = map(item, endpoint);
      } catch (err) {
        if (!isParseError(err)) throw err;
        this.rejected(endpoint, "record", err.message);
        malformed++;
        continue;
      }
      if (seen.has(record.id)) {
        this.rejected(endpoint, "duplicate", `duplicate ID ${JSON.stringify(record.id)} skipped`);
        continue;
      }
      seen.add(record.id);
      kept.push(record);
    }
    return { kept, malformed };
  }

  /**
   * A next link resolved as a browser would (against the URL of the page that carried it), and
   * accepted only on the API's own origin without credentials: anywhere else our token would follow.
   * @throws UpstreamLimitError (`unsafe_link`) otherwise.
   */
  link(link: string, from: JsonRequest, endpoint: string): JsonRequest {
    let url: URL | null;
    try {
      url = new URL(link, this.urlOf(from));
    } catch {
      url = null;
    }
    if (url === null || url.origin !== this.origin || url.username !== "" || url.password !== "")
      throw this.limit(`next link leaves the API origin ${this.origin}`, "unsafe_link", endpoint);
    return { method: "GET", url: url.toString(), endpoint };
  }

  /** A broken limit, counted; the caller throws it. */
  limit(
    message: string,
    reason: "too_large" | "paging" | "unsafe_link",
    endpoint: string,
  ): UpstreamLimitError {
    const err = new UpstreamLimitError(`${endpoint}: ${message}`, reason, endpoint);
    this.rejected(endpoint, err.problem, err.message);
    return err;
  }

  /** A whole answer that cannot be read, counted; the caller throws it. */
  unreadable(message: string, endpoint: string): ParseError {
    this.rejected(endpoint, "body", message);
    return new ParseError(message, endpoint);
  }

  private rejected(endpoint: string, problem: ParseProblem, message: string): void {
    this.observer.parseError(endpoint, problem, message);
  }

  private urlOf(request: JsonRequest): string {
    const url = new URL(request.url ?? this.baseUrl + (request.path ?? ""));
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, String(value));
    return url.toString();
  }
}
