// Holds the current oidc-provider instance. Swapping in a new one (after a signing-key change)
// affects new requests only; requests in flight finish on the instance they started with.
import mount from 'koa-mount';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';

export class ProviderHolder {
  #current: Provider;
  #dispatch: Middleware;
  readonly #mountPath: string;

  constructor(provider: Provider, mountPath: string) {
    this.#mountPath = mountPath;
    this.#current = provider;
    this.#dispatch = this.#mount(provider);
  }

  get current(): Provider {
    return this.#current;
  }

  replace(provider: Provider): void {
    this.#current = provider;
    this.#dispatch = this.#mount(provider);
  }

  /** koa middleware that hands the request to whichever provider is current when it arrives. */
  middleware(): Middleware {
    return (ctx, next) => this.#dispatch(ctx, next);
  }

  #mount(provider: Provider): Middleware {
    return this.#mountPath ? mount(this.#mountPath, provider) : mount(provider);
  }
}
