/**
 * The transport: the only place that sends HTTP to AvePoint. Every attempt passes the shared rate
 * limiter and the concurrency limit; 429, 5xx, timeouts and connection errors are retried with
 * jittered backoff (429 pauses everybody for its Retry-After); nothing sleeps past the deadline.
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Readable } from "node:stream";
import axios, { type AxiosAdapter, type AxiosInstance } from "axios";
import pLimit, { type LimitFunction } from "p-limit";
import {
  DeadlineError,
  UpstreamError,
  UpstreamHttpError,
  UpstreamLimitError,
  type FailureReason,
  isParseError,
  isUpstreamLimitError,
} from "../errors.js";
import { AdaptiveRate } from "./adaptive-rate.js";
import { causeCode, hostOf, networkFailure } from "./network-error.js";
import { nullObserver, type ApiObserver } from "./observer.js";
import { RateLimiter } from "./rate-limiter.js";
import { backoffDelayMs, parseRetryAfterMs, retryReasonForStatus, type RetryReason } from "./retry.js";
import { sleep, systemClock, type CallContext, type Clock } from "./call-context.js";
import { pumpBody, StreamedTooLarge, toReadable, type BodyReading } from "./streamed-body.js";
import type { BodySink } from "./streamed-record.js";

export interface TransportOptions {
  readonly concurrency: number;
  /** Requests per second at most (the adaptive rate's ceiling). */
  readonly rateLimit: number;
  /** Find the rate below the ceiling by itself (default); false: always send at the ceiling. */
  readonly adaptiveRate?: boolean;
  /** Longest pause a Retry-After may impose (seconds); longer ones are cut to this. */
  readonly maxRetryAfterSeconds?: number;
  /** Total time of one attempt, from sending to the last byte of the answer. */
  readonly requestTimeoutSeconds: number;
  readonly maxRetries: number;
  /** Largest answer read; the body is streamed and cut off as soon as it passes this. */
  readonly maxResponseBytes: number;
  /** Answers read as a stream (daily reports): most decoded bytes read before the answer is cut. */
  readonly maxStreamedBytes?: number;
  /** Answers read as a stream: total time of one attempt (they may be far larger than others). */
  readonly streamedTimeoutSeconds?: number;
  readonly userAgent: string;
  readonly observer?: ApiObserver;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Replaces the network (tests). */
  readonly adapter?: AxiosAdapter;
}

export interface HttpRequest {
  readonly method: "GET" | "POST";
  /** Absolute URL. */
  readonly url: string;
  /** Endpoint template for metrics and messages, never with raw IDs. */
  readonly endpoint: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /**
   * Read a success's body as it streams into a new sink (one per attempt) instead of holding it:
   * the sink keeps what it needs and bounds that; the transport bounds the bytes and the time.
   */
  readonly streamInto?: (maxKeptBytes: number) => BodySink<unknown>;
}

export interface HttpResponse {
  readonly status: number;
  /** The body as text; empty when it was streamed into a sink. */
  readonly body: string;
  /** What the sink made of a streamed body. */
  readonly value?: unknown;
}

/** Defaults of the bounds of streamed answers (daily reports): 1 GiB decoded, 5 minutes. */
export const DEFAULT_MAX_STREAMED_BYTES = 1024 ** 3;
export const DEFAULT_STREAMED_TIMEOUT_S = 300;

/** Default of --avepoint.max-retry-after, seconds. */
export const DEFAULT_MAX_RETRY_AFTER_S = 120;
/** The shortest pause a refusal imposes. */
const MIN_PAUSE_MS = 1000;

/** AvePoint's "not now": 429, or 503 that says when to come back. */
const isRefusal = (status: number, retryAfterMs: number | null): boolean =>
  status === 429 || (status === 503 && retryAfterMs !== null);

type Attempt =
  | { kind: "response"; status: number; body: string; value?: unknown; retryAfter: unknown }
  | { kind: "error"; retry: RetryReason | null; reason: FailureReason; message: string };

export class Transport {
  private readonly axios: AxiosInstance;
  private readonly limit: LimitFunction;
  readonly limiter: RateLimiter;
  private readonly observer: ApiObserver;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(private readonly options: TransportOptions) {
    this.observer = options.observer ?? nullObserver;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.limit = pLimit(options.concurrency);
    this.limiter = new RateLimiter(
      new AdaptiveRate(options.rateLimit, options.adaptiveRate ?? false),
      this.clock,
    );
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.concurrency + 1,
      maxFreeSockets: options.concurrency,
    };
    this.axios = axios.create({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      responseType: "text",
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      // Redirects are never followed: the token must not go where a Location header says.
      maxRedirects: 0,
      maxContentLength: options.maxResponseBytes,
      maxBodyLength: options.maxResponseBytes,
      ...(options.adapter ? { adapter: options.adapter } : {}),
    });
    // Flat default headers: axios then has no per-method header sets to merge on every request,
    // which is most of the memory it churns through at thousands of requests per collection.
    this.axios.defaults.headers = {
      Accept: "application/json",
      "User-Agent": options.userAgent,
    } as unknown as typeof this.axios.defaults.headers;
  }

  /**
   * Sends one request, retrying what may be retried; returns the final response whatever its status.
   * A refusal (429, or 503 with Retry-After) is not a failure: it pauses every request for its
   * Retry-After and is tried again for as long as the deadline allows. --avepoint.max-retries
   * bounds only real errors (5xx, timeouts, connection errors).
   * @throws UpstreamError (reason timeout/network/tls/throttled/http_5xx/too_large) when no usable
   *   answer came in time.
   */
  async send(request: HttpRequest, ctx: CallContext): Promise<HttpResponse> {
    const { maxRetries } = this.options;
    let errors = 0;
    let refusals = 0;
    for (;;) {
      // The rate token is taken inside the concurrency slot, right before sending: what leaves the
      // process then never exceeds the rate, and at most `concurrency` requests wait on the limiter.
      let sentAt = 0;
      const result = await this.limit(async () => {
        await this.limiter.acquire(ctx, request.endpoint);
        sentAt = this.clock.now();
        return this.attempt(request, ctx);
      });
      const now = this.clock.now();
      const retryAfter = result.kind === "response" ? parseRetryAfterMs(result.retryAfter, this.clock) : null;
      if (result.kind === "response" && isRefusal(result.status, retryAfter)) {
        // The limit is the app's, not the request's: everybody waits, and the rate comes down.
        const waitMs = this.pauseFor(request.endpoint, retryAfter, refusals++);
        this.limiter.rate.refusedAt(sentAt, now);
        this.limiter.pause(now + waitMs);
        this.observer.throttled(request.endpoint);
        if (ctx.signal.aborted) throw this.deadlineReached(request.endpoint);
        if (now + waitMs > ctx.deadline)
          throw new DeadlineError(
            `${request.endpoint}: throttled; the pause would pass the deadline`,
            "throttled",
          );
        this.observer.retry(request.endpoint, "429");
        continue;
      }
      const retry = result.kind === "error" ? result.retry : retryReasonForStatus(result.status);
      if (result.kind === "response" && retry === null)
        return { status: result.status, body: result.body, value: result.value };
      if (retry === null) throw this.failure(request.endpoint, result);
      // A 5xx's Retry-After is honoured up to the same cap as a refusal's.
      const waitMs = Math.min(retryAfter ?? backoffDelayMs(errors, this.random), this.maxRetryAfterMs);
      if (ctx.signal.aborted) throw this.deadlineReached(request.endpoint);
      if (errors++ >= maxRetries) throw this.failure(request.endpoint, result);
      // AvePoint failed this request; that the round has no time left to retry it does not make
      // the failure the round's: the customer failed (and keeps its last known values).
      if (now + waitMs > ctx.deadline)
        throw this.failure(request.endpoint, result, " (a retry would pass the round's deadline)");
      this.observer.retry(request.endpoint, retry);
      await sleep(waitMs, ctx.signal, () => this.deadlineReached(request.endpoint));
    }
  }

  private get maxRetryAfterMs(): number {
    return (this.options.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_S) * 1000;
  }

  /**
   * How long a refusal pauses everybody: its Retry-After, at least a second (a `0` or a date in the
   * past would otherwise resend at once) and at most the cap; without one, a growing backoff from 1 s.
   */
  private pauseFor(endpoint: string, retryAfter: number | null, refusals: number): number {
    const capMs = this.maxRetryAfterMs;
    if (retryAfter === null) return Math.min(capMs, MIN_PAUSE_MS + backoffDelayMs(refusals, this.random));
    if (retryAfter <= capMs) return Math.min(capMs, Math.max(MIN_PAUSE_MS, retryAfter));
    this.observer.retryAfterCapped(endpoint, retryAfter / 1000, capMs / 1000);
    return capMs;
  }

  private deadlineReached(endpoint: string): DeadlineError {
    return new DeadlineError(`${endpoint}: deadline reached`);
  }

  /** Closes idle keep-alive sockets (at shutdown and in tests). */
  close(): void {
    for (const agent of [this.axios.defaults.httpAgent, this.axios.defaults.httpsAgent] as (
      HttpAgent | undefined
    )[])
      agent?.destroy();
  }

  private failure(endpoint: string, result: Attempt, suffix = ""): UpstreamError {
    if (result.kind === "response") return new UpstreamHttpError(result.status, endpoint, suffix.trim());
    if (result.reason === "too_large")
      return new UpstreamLimitError(`${endpoint}: ${result.message}`, "too_large", endpoint);
    return new UpstreamError(`${endpoint}: ${result.message}${suffix}`, result.reason, endpoint);
  }

  private async attempt(request: HttpRequest, ctx: CallContext): Promise<Attempt> {
    if (ctx.signal.aborted)
      return { kind: "error", retry: "timeout", reason: "timeout", message: "deadline reached" };
    const started = performance.now();
    const streamed = request.streamInto !== undefined;
    const timeoutSeconds = streamed
      ? (this.options.streamedTimeoutSeconds ?? DEFAULT_STREAMED_TIMEOUT_S)
      : this.options.requestTimeoutSeconds;
    const timeoutMs = timeoutSeconds * 1000;
    // The request timeout is total time: axios' own `timeout` only measures idle time once
    // connected, so an upstream trickling one byte a second would hold the request forever.
    const controller = new AbortController();
    let body: Readable | null = null;
    const stop = (): void => {
      controller.abort();
      body?.destroy();
    };
    ctx.signal.addEventListener("abort", stop, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    const timeout = `no complete answer within ${timeoutSeconds}s${streamed ? " (--avepoint.report-timeout)" : ""}`;
    let reading: BodyReading | null = null;
    try {
      const response = await this.axios.request<unknown>({
        method: request.method,
        url: request.url,
        headers: { ...request.headers },
        data: request.body,
        timeout: timeoutMs,
        signal: controller.signal,
        ...(streamed ? { responseType: "stream", maxContentLength: -1 } : {}),
      });
      let value: unknown;
      if (streamed) {
        body = toReadable(response.data);
        const ok = response.status >= 200 && response.status <= 299;
        if (ok && !controller.signal.aborted) {
          reading = { sink: request.streamInto!(this.options.maxResponseBytes), read: 0 };
          value = await pumpBody(body, reading, this.options.maxStreamedBytes ?? DEFAULT_MAX_STREAMED_BYTES);
        } else body.destroy();
      }
      this.observer.request(request.endpoint, String(response.status), (performance.now() - started) / 1000);
      return {
        kind: "response",
        status: response.status,
        body: typeof response.data === "string" ? response.data : "",
        ...(streamed ? { value } : {}),
        retryAfter: response.headers["retry-after"],
      };
    } catch (err) {
      this.observer.request(request.endpoint, "error", (performance.now() - started) / 1000);
      // What the sink refused (not JSON, kept data past its bound) is the answer's fault: not retried.
      if (isParseError(err) || isUpstreamLimitError(err)) throw err;
      // Never keep the axios error: its config holds the request's headers and body (credentials).
      if (ctx.signal.aborted)
        return { kind: "error", retry: "timeout", reason: "timeout", message: "deadline reached" };
      // A streamed answer that was arriving but not done in its (long) time is not asked for again.
      if (timedOut)
        return { kind: "error", retry: reading ? null : "timeout", reason: "timeout", message: timeout };
      if (err instanceof StreamedTooLarge)
        return {
          kind: "error",
          retry: null,
          reason: "too_large",
          message: `answer larger than ${err.limit} bytes (--avepoint.max-report-size), cut off`,
        };
      const code = axios.isAxiosError(err) ? err.code : undefined;
      if (code === "ECONNABORTED" || code === "ETIMEDOUT")
        return { kind: "error", retry: "timeout", reason: "timeout", message: timeout };
      if (code === "ERR_BAD_RESPONSE" && /maxContentLength/.test((err as Error).message))
        return {
          kind: "error",
          // Asking again would download the same oversized answer again.
          retry: null,
          reason: "too_large",
          message: `answer larger than ${this.options.maxResponseBytes} bytes, cut off`,
        };
      const failure = networkFailure(code ?? causeCode(err), hostOf(request.url));
      return {
        kind: "error",
        retry: failure.retry ? "network" : null,
        reason: failure.reason,
        message: failure.message,
      };
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", stop);
      if (reading !== null) {
        const { keptBytes } = reading.sink.totals();
        this.observer.bodyRead(request.endpoint, reading.read, Math.max(0, reading.read - keptBytes));
      }
    }
  }
}
