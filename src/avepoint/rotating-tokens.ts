/**
 * A token source whose credentials can be replaced while the exporter runs (a rotated client secret
 * or certificate, applied by a reload). The transport, and with it the learned rate, stays.
 */
import type { Credentials } from "../config/config.js";
import { TokenProvider, type TokenProviderOptions, type TokenSource } from "./auth.js";
import type { CallContext } from "./call-context.js";
import type { Transport } from "./transport.js";

export class RotatingTokens implements TokenSource {
  private provider: TokenProvider;

  constructor(
    private readonly transport: Transport,
    private options: TokenProviderOptions,
  ) {
    this.provider = new TokenProvider(transport, options);
  }

  get(ctx: CallContext): Promise<string> {
    return this.provider.get(ctx);
  }

  invalidate(token: string): void {
    this.provider.invalidate(token);
  }

  /**
   * Whether these credentials could be used, without using them (a reload checks everything before
   * it applies anything).
   * @throws Error when a certificate's private key cannot be read.
   */
  checkCredentials(credentials: Credentials): void {
    new TokenProvider(this.transport, { ...this.options, credentials });
  }

  /**
   * From now on tokens are fetched with these credentials; the token at hand, got with the old ones,
   * is not used again, so that new credentials are proven at the next request.
   * @throws Error when a certificate's private key cannot be read; the old credentials stay then.
   */
  setCredentials(credentials: Credentials): void {
    const options = { ...this.options, credentials };
    this.provider = new TokenProvider(this.transport, options);
    this.options = options;
  }
}
