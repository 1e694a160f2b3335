// Resolves the settings of the pages people see (branding, template directory) and of the metrics
// listener, with their problems and warnings. resolve.ts calls these; they know no other setting.
import { statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { RawSettings } from './settings.js';

export interface PagesConfig {
  readonly brandName: string;
  /** https: or data:image/ URL */
  readonly brandLogoUrl: string | undefined;
  /** `#rrggbb`, lowercase */
  readonly brandColor: string;
  /** absolute path of the admin's template directory */
  readonly templateDir: string | undefined;
}

export interface MetricsConfig {
  /** undefined: no metrics listener */
  readonly port: number | undefined;
  readonly host: string;
}

interface Findings {
  readonly problems: string[];
  readonly warnings: string[];
}

/** `#rgb` or `#rrggbb` to `#rrggbb`; undefined for anything else (names, rgb(), url(…), …). */
export function normalizeHexColor(value: string): string | undefined {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
  if (!m?.[1]) return undefined;
  const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return `#${hex.toLowerCase()}`;
}

export function resolvePages(v: RawSettings, cwd: string, f: Findings): PagesConfig {
  const brandColor = normalizeHexColor(v.BRAND_COLOR ?? '#1f4e8c');
  if (!brandColor) f.problems.push(`BRAND_COLOR: must be a colour written #rgb or #rrggbb, e.g. #1f4e8c`);

  let brandLogoUrl: string | undefined;
  if (v.BRAND_LOGO_URL) {
    const url = URL.parse(v.BRAND_LOGO_URL);
    if (url?.protocol === 'https:' || (url?.protocol === 'data:' && /^data:image\/[a-z0-9.+-]+[;,]/i.test(v.BRAND_LOGO_URL))) {
      brandLogoUrl = v.BRAND_LOGO_URL;
    } else {
      f.problems.push('BRAND_LOGO_URL: must be an https: URL or a data:image/… URL (pages refuse other sources)');
    }
  }

  let templateDir: string | undefined;
  if (v.TEMPLATE_DIR) {
    templateDir = resolvePath(cwd, v.TEMPLATE_DIR);
    let isDir = false;
    try {
      isDir = statSync(templateDir).isDirectory();
    } catch {
      // reported below
    }
    if (!isDir) f.problems.push(`TEMPLATE_DIR: ${templateDir} is not a directory`);
  }

  const brandName = (v.BRAND_NAME ?? '').trim() || 'CAS OIDC Bridge';
  return { brandName, brandLogoUrl, brandColor: brandColor ?? '#1f4e8c', templateDir };
}

export function resolveMetrics(v: RawSettings, server: { host: string; port: number }, isLoopback: (host: string) => boolean, f: Findings): MetricsConfig {
  const host = v.METRICS_HOST ?? '127.0.0.1';
  const port = v.METRICS_PORT;
  if (port !== undefined) {
    if (port === server.port && (host === server.host || host === '0.0.0.0' || server.host === '0.0.0.0' || host === '::' || server.host === '::')) {
      f.problems.push(`METRICS_PORT: ${port} is the bridge's own port; metrics need a listener of their own`);
    }
    if (!isLoopback(host)) {
      f.warnings.push(`METRICS_HOST=${host} is not a loopback address: keep the metrics port away from the public (firewall, or scrape over a private network)`);
    }
  }
  return { port, host };
}
