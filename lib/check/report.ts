// `check-config`: validate the configuration, show what the bridge would run with, probe CAS, and
// say what to register at CAS and what to enter in Keycloak. Never prints a secret.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings, type SourceOptions } from '../config/load.js';
import { resolveConfig } from '../config/resolve.js';
import type { BridgeConfig } from '../config/index.js';
import { LOCALES, Views } from '../pages/views.js';
import { effectiveSettings } from './effective.js';
import { casAdminRequest, isKeycloakClient, keycloakSettings, relyingPartySettings } from './instructions.js';
import { probeLoginPage, probeSectorDocuments, probeValidation, type ProbeResult } from './probe.js';
import { serviceUrlFor } from '../cas/urls.js';

export interface CheckOptions extends SourceOptions {
  /** probe the CAS URLs over the network (default true) */
  readonly probe?: boolean;
}

export interface CheckOutcome {
  readonly text: string;
  /** 0 fine, 1 a probe failed, 2 the configuration is invalid */
  readonly exitCode: 0 | 1 | 2;
}

const MARK: Record<ProbeResult['status'], string> = { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]' };

function section(out: string[], title: string, lines: readonly string[]): void {
  out.push('', title, ...lines.map((l) => `  ${l}`));
}

/** Renders every template the bridge ships in each locale, through the admin's overrides. */
function templateCheck(config: BridgeConfig): { lines: string[]; problems: string[] } {
  const { templateDir, brandName, brandColor, brandLogoUrl } = config.pages;
  const lines = [
    `Name: ${brandName}`,
    `Colour: ${brandColor}`,
    `Logo: ${brandLogoUrl ? (brandLogoUrl.startsWith('data:') ? `data: URL (${brandLogoUrl.length} characters)` : brandLogoUrl) : '(none)'}`,
  ];
  const problems: string[] = [];
  if (!templateDir) {
    lines.push('Templates: built-in (TEMPLATE_DIR not set)');
    return { lines, problems };
  }
  let overridden: string[] = [];
  try {
    overridden = readdirSync(templateDir).filter((f) => f.endsWith('.eta'));
    const locales = readdirSync(join(templateDir, 'locales'), { withFileTypes: true }).filter((e) => e.isFile()).map((e) => `locales/${e.name}`);
    overridden.push(...locales);
  } catch {
    // no locales/ directory: templates only
  }
  lines.push(`Templates: ${templateDir} overrides ${overridden.length ? overridden.join(', ') : 'nothing (no .eta or locales/*.json files)'}`);
  try {
    const views = new Views({ templateDir, branding: { name: brandName, logoUrl: brandLogoUrl, color: brandColor } });
    for (const locale of LOCALES) {
      views.html('error', {
        titleKey: 'error.server.title', messageKey: 'error.server.message', params: {}, actions: [], detail: undefined, status: 500,
      }, { locale, nonce: 'check', requestId: 'check-config' });
    }
    lines.push(`[ok]   the error page renders in ${LOCALES.join(' and ')}`);
  } catch (err) {
    problems.push(`TEMPLATE_DIR: a template or text file does not work: ${(err as Error).message.split('\n')[0]}`);
  }
  return { lines, problems };
}

export async function checkConfig(options: CheckOptions): Promise<CheckOutcome> {
  const out: string[] = [];
  const loaded = loadSettings(options);
  const { config, problems } = resolveConfig(loaded);
  const sources = loaded.file ? `defaults, ${loaded.file}, environment` : 'defaults, environment (no config file)';
  out.push(`cas-oidc-bridge check-config (sources, later wins: ${sources})`);

  const { shown, unset } = effectiveSettings(loaded, config);
  const width = Math.max(...shown.map((s) => s.name.length));
  const valueWidth = Math.min(60, Math.max(...shown.map((s) => s.value.length)));
  section(out, 'Effective settings (secrets hidden)', [
    ...shown.map((s) => `${s.name.padEnd(width)}  ${s.value.padEnd(valueWidth)}  ${s.origin}`),
    ...(unset.length ? [`not set: ${unset.join(', ')}`] : []),
  ]);

  if (!config) {
    section(out, `Configuration: INVALID, ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems.map((p) => `- ${p}`));
    out.push('', 'Result: the configuration is invalid (exit code 2). Nothing was probed.');
    return { text: `${out.join('\n')}\n`, exitCode: 2 };
  }

  const pages = templateCheck(config);
  if (pages.problems.length) {
    section(out, `Configuration: INVALID, ${pages.problems.length} problem${pages.problems.length === 1 ? '' : 's'}`, pages.problems.map((p) => `- ${p}`));
    out.push('', 'Result: the configuration is invalid (exit code 2). Nothing was probed.');
    return { text: `${out.join('\n')}\n`, exitCode: 2 };
  }
  section(out, `Configuration: valid${config.warnings.length ? `, ${config.warnings.length} warning${config.warnings.length === 1 ? '' : 's'}` : ''}`,
    config.warnings.map((w) => `[warn] ${w}`));

  let failed = false;
  if (options.probe === false) {
    section(out, 'CAS server (not probed: --no-probe)', [`login:      ${config.cas.loginUrl}`, `validation: ${config.cas.validateUrl}`]);
  } else {
    // the service URL as a login sends it (with ?login=<id> by default), so a registration that
    // admits only the bare URL shows here, not at the first login
    const service = serviceUrlFor(config.cas.serviceUrl, config.cas.serviceUrlPerLogin, 'check-config');
    const results = [
      ...await probeLoginPage(config.cas.loginUrl, service, config.cas.timeoutMs),
      await probeValidation(config.cas.validateUrl, service, config.cas.timeoutMs, config.cas.protocol),
      ...await probeSectorDocuments(config.clients),
    ];
    failed = results.some((r) => r.status === 'fail');
    const plain = [config.cas.loginUrl, config.cas.validateUrl].filter((u) => u.startsWith('http:') && !/^http:\/\/(127\.|localhost|\[::1\])/.test(u));
    section(out, 'CAS server', [
      ...results.map((r) => `${MARK[r.status]} ${r.what}: ${r.url}\n         ${r.message}`),
      ...(plain.length ? ['[warn] CAS is reached over plain http: tickets and attributes cross the network unprotected'] : []),
    ]);
  }

  section(out, 'Claims (what each claim is made of; [released by])', config.claims.mapping.describe());

  const clientLines: string[] = [];
  for (const client of config.clients) {
    clientLines.push(`${client.clientId} (${client.where})${client.name !== client.clientId ? ` "${client.name}"` : ''}`);
    clientLines.push(`  redirect URIs: ${[...client.redirectUris, ...client.redirectUriAllowlist.map((u) => `${u} (prefix)`)].join(', ') || '(none)'}`);
    clientLines.push(`  default scopes: ${client.defaultScopes.join(' ')}; token endpoint auth: ${client.tokenEndpointAuthMethod}`);
    clientLines.push(`  subject: ${client.subjectType === 'pairwise' ? `pairwise, sector ${client.sector ?? '?'}${client.sectorIdentifierUri ? ` (from ${client.sectorIdentifierUri})` : ''}` : 'public (the mapped sub)'}`);
    clientLines.push(...client.access.describe().map((l) => `  access: ${l}`));
  }
  section(out, 'Clients and their access rules', clientLines);

  section(out, 'Ask the CAS administrators to register', casAdminRequest(config));
  for (const client of config.clients) {
    if (isKeycloakClient(client)) {
      section(out, `Enter in Keycloak (Identity providers > OpenID Connect v1.0) for client "${client.clientId}"`, keycloakSettings(config, client));
    } else {
      section(out, `Settings for the relying party "${client.clientId}" (OpenID Connect)`, relyingPartySettings(config, client));
    }
  }
  section(out, 'Pages', pages.lines);

  out.push('', failed
    ? 'Result: the configuration is valid, but a CAS probe FAILED (exit code 1).'
    : `Result: the configuration is valid${options.probe === false ? '' : ' and CAS answers as expected'} (exit code 0).`);
  return { text: `${out.join('\n')}\n`, exitCode: failed ? 1 : 0 };
}
