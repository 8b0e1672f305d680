/** A real ApiClient over a scripted transport: answers by URL, every URL asked and every problem counted. */
import { ApiClient } from "../../src/avepoint/client.js";
import type { HttpRequest, HttpResponse, Transport } from "../../src/avepoint/transport.js";
import { nullObserver } from "../../src/avepoint/observer.js";
import type { ParseProblem } from "../../src/errors.js";

export const BASE_URL = "http://127.0.0.1:1/api";

export const ctx = { signal: new AbortController().signal, deadline: Date.now() + 60_000 };

/** An answer: a JSON value (status 200), or a full response. */
export type Scripted = unknown;

export const scriptedClient = (answer: (url: URL, request: HttpRequest) => Scripted | Promise<Scripted>) => {
  const asked: URL[] = [];
  const problems: { endpoint: string; problem: ParseProblem }[] = [];
  const transport = {
    send: async (request: HttpRequest): Promise<HttpResponse> => {
      const url = new URL(request.url);
      asked.push(url);
      const value = await answer(url, request);
      if (value instanceof Error) throw value;
      return { status: 200, body: typeof value === "string" ? value : JSON.stringify(value) };
    },
  } as unknown as Transport;
  const tokens = { get: async () => "token", invalidate: () => {} };
  const client = new ApiClient(BASE_URL, transport, tokens, {
    ...nullObserver,
    parseError: (endpoint, problem) => problems.push({ endpoint, problem }),
  });
  return { client, asked, problems };
};
