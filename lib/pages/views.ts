// HTML pages people see. Templates are Eta files in views/ (or the admin's TEMPLATE_DIR, file by
// file), every value escaped; texts come from views/locales/<lang>.json chosen by Accept-Language.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Context } from 'koa';
import { makeBranding, type Branding } from './branding.js';
import { parseJsonText } from '../util/json-text.js';

export type { Branding };

/** views/ of the package, found from this file in lib/ (sources) or dist/lib/ (build). */
export const DEFAULT_VIEWS_DIR = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i += 1) {
    if (existsSync(join(dir, 'views', 'layout.eta'))) return join(dir, 'views');
    dir = dirname(dir);
  }
  throw new Error('views/ directory not found');
})();

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
type Messages = Record<string, string>;

export interface PageAction {
  readonly href: string;
  readonly label: string;
  readonly primary?: boolean;
}

/** A template or text file of TEMPLATE_DIR that does not work; the message names the file. */
export class TemplateError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'TemplateError';
  }
}

export interface ViewOptions {
  readonly templateDir?: string | undefined;
  /** runtime errors name the template file and line (slower: for checks, not for serving) */
  readonly debug?: boolean;
  /** name, logo URL and `#rrggbb` colour (validated by the configuration) */
  readonly branding?: { readonly name?: string; readonly logoUrl?: string | undefined; readonly color?: string };
}

/** What every template receives besides its own data. */
export interface PageContext {
  readonly locale: Locale;
  /** CSP nonce for inline <style>/<script> */
  readonly nonce: string;
  /** the request id of the log line, shown on error pages so people can quote it */
  readonly requestId?: string | undefined;
}

/** Picks the best supported locale from an Accept-Language header (q-values honoured). */
export function pickLocale(header: string | undefined): Locale {
  const ranked = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((e) => e.tag && e.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag === '*') return 'en';
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

/** An admin's locale file: a JSON object of strings. */
function readMessages(file: string): Messages {
  const parsed = parseJsonText(readFileSync(file, 'utf8'));
  if (!parsed.ok) throw new TemplateError(file, parsed.problem);
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TemplateError(file, 'must hold a JSON object of texts');
  const notText = Object.entries(value).find(([, text]) => typeof text !== 'string');
  if (notText) throw new TemplateError(file, `"${notText[0]}" must be a string`);
  return value as Messages;
}

/**
 * Every problem of an admin's TEMPLATE_DIR, each naming its file: each template must compile, each
 * locale file must be a JSON object of texts, and the error page (with the layout) must render in
 * every locale.
 */
export function templateProblems(options: ViewOptions): string[] {
  const dir = options.templateDir ? resolve(options.templateDir) : undefined;
  if (!dir) return [];
  const problems: string[] = [];
  // every locale file and every template on its own, so that one broken file hides no other
  for (const locale of LOCALES) {
    const file = join(dir, 'locales', `${locale}.json`);
    if (!existsSync(file)) continue;
    try {
      readMessages(file);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      problems.push(err.message);
    }
  }
  const eta = new Eta({ autoEscape: true, useWith: false });
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.eta'))) {
    try {
      eta.compile(readFileSync(join(dir, name), 'utf8'));
    } catch (err) {
      problems.push(`${join(dir, name)}: ${(err as Error).message.split('\n')[0]?.replace(/:$/, '')}`);
    }
  }
  if (problems.length) return problems;
  const views = new Views({ ...options, debug: true });
  for (const locale of LOCALES) {
    try {
      views.html('error', {
        titleKey: 'error.server.title', messageKey: 'error.server.message', params: {}, actions: [], detail: 'check', status: 500,
      }, { locale, nonce: 'check', requestId: 'check' });
    } catch (err) {
      // with debug on, Eta's message names each template on the way, `/dir/layout.eta:12`, the
      // innermost last, then shows the lines around it, then the cause
      const lines = (err as Error).message.split('\n');
      const where = lines.filter((l) => /^\S+\.eta:\d+$/.test(l)).at(-1)?.replace(/:(\d+)$/, ' line $1') ?? 'a template';
      const cause = lines.filter((l) => l.trim() && !/^\S+\.eta:\d+$/.test(l) && !/^\s*(>>)?\s*\d+\|/.test(l)).at(-1)?.trim();
      problems.push(`${where}: ${cause ?? (err as Error).name} (rendering the error page in ${locale})`);
      break;
    }
  }
  return problems;
}

export class Views {
  readonly #eta: Eta;
  readonly #messages: Record<Locale, Messages>;
  readonly branding: Branding;

  constructor(options: ViewOptions = {}) {
    const custom = options.templateDir ? resolve(options.templateDir) : undefined;
    this.#eta = new Eta({ views: DEFAULT_VIEWS_DIR, autoEscape: true, cache: true, useWith: false, debug: options.debug ?? false });
    // an admin's template directory overrides templates file by file
    const resolveDefault = this.#eta.resolvePath.bind(this.#eta);
    this.#eta.resolvePath = (template, opts) => {
      if (custom) {
        const candidate = join(custom, `${template.replace(/^\.\//, '')}.eta`);
        if (existsSync(candidate)) return candidate;
        // names are relative to views/ (a custom template's own directory is outside it)
        return resolveDefault(template);
      }
      return resolveDefault(template, opts);
    };
    const load = (locale: Locale): Messages => {
      const base = JSON.parse(readFileSync(join(DEFAULT_VIEWS_DIR, 'locales', `${locale}.json`), 'utf8')) as Messages;
      const override = custom ? join(custom, 'locales', `${locale}.json`) : undefined;
      return override && existsSync(override) ? { ...base, ...readMessages(override) } : base;
    };
    this.#messages = { en: load('en'), 'zh-CN': load('zh-CN') };
    this.branding = makeBranding(
      options.branding?.name ?? 'CAS OIDC Bridge',
      options.branding?.color ?? '#1f4e8c',
      options.branding?.logoUrl,
    );
  }

  translator(locale: Locale): (key: string, params?: Record<string, string>) => string {
    const messages = this.#messages[locale];
    const fallback = this.#messages.en;
    return (key, params = {}) => {
      const text = messages[key] ?? fallback[key] ?? key;
      return text.replace(/\{(\w+)\}/g, (m, name: string) => params[name] ?? m);
    };
  }

  /** The HTML of a page (also used by check-config to try the admin's templates). */
  html(template: string, data: Record<string, unknown>, page: PageContext): string {
    return this.#eta.render(template, {
      ...data,
      t: this.translator(page.locale),
      locale: page.locale,
      brand: this.branding,
      nonce: page.nonce,
      requestId: page.requestId,
    });
  }

  /** Renders a template to the koa response with a strict CSP (no external assets). */
  render(ctx: Context, template: string, data: Record<string, unknown>, status = 200): void {
    const locale = pickLocale(ctx.get('accept-language'));
    const nonce = randomBytes(16).toString('base64');
    const requestId = typeof ctx.state.requestId === 'string' ? ctx.state.requestId : undefined;
    const html = this.html(template, data, { locale, nonce, requestId });
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src https: data:; form-action 'self' https: http:; base-uri 'none'; frame-ancestors 'none'`);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = html;
  }

  /** A page that explains a problem and offers the way forward. */
  renderError(ctx: Context, page: { status: number; titleKey: string; messageKey: string; params?: Record<string, string>; actions?: PageAction[]; detail?: string | undefined }): void {
    this.render(ctx, 'error', {
      titleKey: page.titleKey,
      messageKey: page.messageKey,
      params: page.params ?? {},
      actions: page.actions ?? [],
      detail: page.detail,
      status: page.status,
    }, page.status);
  }
}
