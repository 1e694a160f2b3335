// `claims preview`: what one CAS validation answer becomes with the current configuration, without
// the network. The answer is read exactly as at login (readValidation: the protocol's parser and the
// bounds), mapped by the configured claims, released by scope, and weighed by every client's access
// rules. A problem is reported with the words a login would log and the page a person would see.
import { CasError } from '../cas/errors.js';
import { PROTOCOL_NAMES, type CasProtocol } from '../cas/protocol.js';
import type { CasAuthenticationSuccess, CasValidationResult } from '../cas/types.js';
import { answerShape, describeShape, protocolOfShape, readValidation } from '../cas/validation.js';
import { ClaimMappingError } from '../claims/index.js';
import { PROXY_ATTRIBUTES } from '../proxy/login.js';
import { LOGIN_CLAIMS } from '../claims/oidc.js';
import type { BridgeConfig } from '../config/index.js';
import { Views } from '../pages/views.js';

export interface PreviewOutcome {
  readonly text: string;
  /** 0: a login with this answer succeeds (for some client at least); 1: it fails */
  readonly exitCode: 0 | 1;
}

const MAX_SHOWN = 120;

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}… (${text.length} characters)` : text;
}

/** `curl -i` output: the body after the status line and headers. */
function bodyOf(input: string): string {
  if (!/^HTTP\/\d(\.\d)? \d{3}/.test(input)) return input;
  const split = /\r?\n\r?\n/.exec(input);
  return split ? input.slice(split.index + split[0].length) : '';
}

function section(out: string[], title: string, lines: readonly string[]): void {
  out.push('', title, ...lines.map((l) => `  ${l}`));
}

/** The protocol to read the answer with: the configured one, unless the answer plainly speaks another. */
function chooseProtocol(config: BridgeConfig, body: string): { protocol: CasProtocol | undefined; note: string | undefined } {
  const configured = config.cas.protocol;
  const speaks = protocolOfShape(answerShape(body));
  if (speaks === undefined) return { protocol: configured, note: undefined };
  if (speaks === configured || (speaks === 'cas3' && configured === 'cas2')) return { protocol: configured, note: undefined };
  return {
    protocol: speaks,
    note: `CAS_PROTOCOL is ${configured} (${PROTOCOL_NAMES[configured]}), but this answer is ${PROTOCOL_NAMES[speaks]}: `
      + `it is previewed as ${PROTOCOL_NAMES[speaks]}; a login with the current configuration would refuse it`,
  };
}

function attributeLines(result: CasAuthenticationSuccess): string[] {
  const names = Object.keys(result.attributes);
  if (!names.length) return ['(no attributes)'];
  const width = Math.min(40, Math.max(...names.map((n) => n.length)));
  return names.map((name) => {
    const values = result.attributes[name] ?? [];
    return `${name.padEnd(width)}  ${values.map(show).join(', ')}${values.length > 1 ? `  (${values.length} values)` : ''}`;
  });
}

export function previewClaims(config: BridgeConfig, input: string): PreviewOutcome {
  const out: string[] = [];
  const t = new Views({ templateDir: config.pages.templateDir }).translator('en');
  const loginFails = (kind: string, titleKey: string, reason: string): PreviewOutcome => {
    out.push('', `Result: a login with this answer FAILS (${kind}). The person sees "${t(titleKey)}"; the log says: ${reason}`);
    return { text: `${out.join('\n')}\n`, exitCode: 1 };
  };

  const body = bodyOf(input.replace(/^\uFEFF/, ''));
  const { protocol, note } = chooseProtocol(config, body);
  out.push(`cas-oidc-bridge claims preview (CAS_PROTOCOL ${config.cas.protocol}; nothing is sent anywhere)`);
  if (note) out.push(`[warn] ${note}`);
  if (protocol === undefined) return loginFails('cas_bad_response', 'error.cas_bad_response.title', `the answer is ${describeShape(answerShape(body))}`);

  let read: CasValidationResult;
  try {
    read = readValidation(protocol, body);
  } catch (err) {
    if (!(err instanceof CasError)) throw err;
    section(out, `CAS answer (read as ${PROTOCOL_NAMES[protocol]})`, ['(not readable)']);
    return loginFails(err.kind, `error.${err.kind}.title`, err.message);
  }
  if (read.kind === 'failure') {
    section(out, `CAS answer (${PROTOCOL_NAMES[protocol]})`, [`failure: ${read.code}${read.description ? ` (${read.description})` : ''}`]);
    return loginFails('cas_failure', 'error.cas_failure.title', `CAS refused the ticket (casCode ${read.code})`);
  }

  // a login takes proxy-ticket attributes out before anything is mapped (lib/proxy/login.ts)
  const withheld = PROXY_ATTRIBUTES.filter((name) => Object.hasOwn(read.attributes, name));
  const attributes = { ...read.attributes };
  for (const name of withheld) delete attributes[name];
  const result: CasAuthenticationSuccess = { ...read, attributes };
  section(out, `CAS answer (${PROTOCOL_NAMES[protocol]})`, [
    `user: ${show(result.user)}`,
    `attributes (${Object.keys(result.attributes).length}):`,
    ...attributeLines(result).map((l) => `  ${l}`),
    ...(withheld.length ? [`(${withheld.join(', ')}: proxy tickets, never claims; left out as at login)`] : []),
  ]);

  const mapping = config.claims.mapping;
  const traces = mapping.explain(result.user, result.attributes);
  const width = Math.max(...traces.map((c) => c.name.length));
  section(out, 'Claims (value <- source and transforms [released by])', traces.map((c) => {
    const released = c.scopes.length ? c.scopes.join(', ') : LOGIN_CLAIMS.has(c.name) ? 'ID token, from the login' : 'no scope';
    const value = c.value === undefined ? '(no value)' : show(c.value);
    return `${c.name.padEnd(width)}  ${value}  <- ${c.how}  [${released}]`;
  }));

  const produced = new Map(traces.filter((c) => c.value !== undefined).map((c) => [c.name, c.value]));
  section(out, 'Scopes (what each releases for this person)', Object.entries(mapping.scopes).map(([scope, claims]) => {
    const released = claims.filter((c) => produced.has(c));
    const empty = claims.filter((c) => !produced.has(c));
    return `${scope}: ${released.join(', ') || '(nothing)'}${empty.length ? `  (no value: ${empty.join(', ')})` : ''}`;
  }));

  let sub: string;
  try {
    sub = mapping.map(result.user, result.attributes).sub;
  } catch (err) {
    if (!(err instanceof ClaimMappingError)) throw err;
    return loginFails('claims_failed', 'error.account.title', err.message);
  }

  const clientLines: string[] = [];
  let anyAllowed = false;
  for (const client of config.clients) {
    const decision = client.access.evaluate(sub, result.attributes);
    anyAllowed ||= decision.allowed;
    const subject = client.subjectType === 'pairwise'
      ? `sub: pairwise for sector ${client.sector ?? '?'} (derived at login from the database's salt)`
      : `sub: ${show(sub)}`;
    clientLines.push(`${client.clientId} (${client.where}): ${decision.allowed ? 'ALLOWED' : 'DENIED'} by ${decision.rule}; ${subject}`);
  }
  section(out, 'Clients (access rules)', clientLines);

  if (note) {
    out.push('', `Result: with CAS_PROTOCOL=${config.cas.protocol} a login refuses this answer (exit code 1); `
      + `with CAS_PROTOCOL=${protocol} it ${anyAllowed ? 'succeeds as shown' : 'is read as shown, but no client lets the person in'}.`);
    return { text: `${out.join('\n')}\n`, exitCode: 1 };
  }
  out.push('', anyAllowed
    ? 'Result: a login with this answer succeeds (exit code 0).'
    : 'Result: CAS accepts this person, but no client\'s access rules let them in (exit code 1).');
  return { text: `${out.join('\n')}\n`, exitCode: anyAllowed ? 0 : 1 };
}
