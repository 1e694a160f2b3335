// Holds the current oidc-provider instance. Swapping in a new one (after a signing-key change or a
// configuration reload) affects new requests only; requests in flight finish on the instance they
// started with. Rebuilds take turns (`exclusive`), so that a key change and a reload never build
// from different configurations and swap in the older one last.
import mount from 'koa-mount';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';

export class ProviderHolder {
  #current: Provider;
  #dispatch: Middleware;
  readonly #mountPath: string;
  #turn: Promise<unknown> = Promise.resolve();

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

  /** Runs `work` once every rebuild started before it has finished. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#turn.then(work, work);
    this.#turn = run.catch(() => undefined);
    return run;
  }

  /** koa middleware that hands the request to whichever provider is current when it arrives. */
  middleware(): Middleware {
    return (ctx, next) => this.#dispatch(ctx, next);
  }

  #mount(provider: Provider): Middleware {
    return this.#mountPath ? mount(this.#mountPath, provider) : mount(provider);
  }
}
