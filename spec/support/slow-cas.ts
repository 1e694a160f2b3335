// The in-process CAS with a switch that makes ticket validation take its time, for specs that do
// something (a restart, a reload) while a login's CAS validation is in flight.
import { MiniCas, type MiniCasOptions } from '../../lib/demo/mini-cas.js';

export interface SlowableCas {
  readonly url: string;
  /** while on, every ticket validation waits `ms` before answering */
  slow: boolean;
  close(): Promise<void>;
}

export async function slowableCas(options: MiniCasOptions, ms: number): Promise<SlowableCas> {
  const mini = new MiniCas(options);
  const state = { slow: false };
  mini.app.middleware.unshift(async (ctx, next) => {
    if (state.slow && ctx.path.endsWith('/p3/serviceValidate')) await new Promise((r) => setTimeout(r, ms));
    await next();
  });
  const cas = await mini.listen();
  return Object.assign(state, { url: cas.url, close: () => cas.close() });
}
