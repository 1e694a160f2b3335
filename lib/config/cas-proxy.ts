// CAS proxying settings (CAS_PROXY_CALLBACK_URL, CAS_PGT_PRIVATE_KEY, CAS_PROXY_URL) and the
// clients' `cas_proxy_targets`, checked at start so that a mistake stops the bridge with the
// setting's name instead of failing a login later.
import { createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { targetEntryProblem } from '../proxy/targets.js';

export interface CasProxyConfig {
  /** pgtUrl sent with every ticket validation; the bridge serves its path */
  readonly callbackUrl: string;
  readonly callbackPath: string;
  /** CAS /proxy */
  readonly proxyUrl: string;
  /** PEM of the RSA key that decrypts a PGT returned in the validation response (never printed) */
  readonly pgtPrivateKeyPem: string | undefined;
}

export interface CasProxyInput {
  readonly callbackUrl: string | undefined;
  readonly privateKeyPath: string | undefined;
  readonly proxyUrl: string | undefined;
  readonly issuerUrl: URL | undefined;
  readonly serviceUrl: string;
  readonly casBase: string;
  readonly isLoopbackHost: (hostname: string) => boolean;
}

export interface Checked<T> {
  readonly value: T;
  readonly problems: string[];
  readonly warnings: string[];
}

/** Smallest key CAS can encrypt a PGT with: PKCS#1 v1.5 carries at most (bits / 8 - 11) bytes. */
export const MIN_PGT_KEY_BITS = 2048;

/** oidc-provider's routes (defaults and the bridge's own names), below the issuer's path. */
const PROVIDER_ROUTES = ['/auth', '/authorize', '/backchannel', '/challenge', '/credential', '/device', '/jwks', '/me',
  '/nonce', '/reg', '/request', '/session', '/token', '/userinfo', '/.well-known'];

const under = (path: string, prefix: string): boolean => path === prefix || path.startsWith(`${prefix}/`);

/** Paths the bridge or oidc-provider serve for other purposes (the callback route would shadow them). */
function reservedPath(path: string, servicePath: string, mountPath: string): string | undefined {
  if (path === servicePath) return 'SERVICE_URL\'s path (CAS would mix service tickets and proxy callbacks)';
  if (path === '/healthz') return 'the health check';
  if (under(path, '/interaction')) return 'the login pages (/interaction/…)';
  const route = PROVIDER_ROUTES.find((r) => under(path, `${mountPath}${r}`));
  if (route) return `an OpenID Provider endpoint (${mountPath}${route})`;
  return undefined;
}

function checkCallback(input: CasProxyInput, problems: string[]): URL | undefined {
  const raw = input.callbackUrl;
  if (raw === undefined) return undefined;
  const url = URL.parse(raw);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    problems.push('CAS_PROXY_CALLBACK_URL: must be an absolute https URL on the bridge, e.g. https://bridge.example.edu/cas/proxy-callback');
    return undefined;
  }
  if (url.protocol === 'http:' && !input.isLoopbackHost(url.hostname)) {
    problems.push('CAS_PROXY_CALLBACK_URL: must use https (CAS sends proxy-granting tickets only to https callbacks; plain http is allowed only for a loopback host)');
    return undefined;
  }
  if (url.search || url.hash || url.username || url.password) {
    problems.push('CAS_PROXY_CALLBACK_URL: must not carry a query, fragment or credentials');
    return undefined;
  }
  if (input.issuerUrl && url.origin !== input.issuerUrl.origin) {
    problems.push(`CAS_PROXY_CALLBACK_URL: must be on the issuer's origin ${input.issuerUrl.origin}: the bridge serves it`);
    return undefined;
  }
  const service = URL.parse(input.serviceUrl);
  const mountPath = input.issuerUrl && input.issuerUrl.pathname !== '/' ? input.issuerUrl.pathname.replace(/\/+$/, '') : '';
  const clash = reservedPath(url.pathname, service?.pathname ?? '', mountPath);
  if (clash) {
    problems.push(`CAS_PROXY_CALLBACK_URL: its path ${url.pathname} is already ${clash}; choose another, e.g. /cas/proxy-callback`);
    return undefined;
  }
  return url;
}

function readPrivateKey(path: string, problems: string[], warnings: string[]): string | undefined {
  const file = resolvePath(path);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`CAS_PGT_PRIVATE_KEY: ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  let bits: number | undefined;
  try {
    const key = createPrivateKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType !== 'rsa') {
      problems.push(`CAS_PGT_PRIVATE_KEY: ${file} holds a ${key.asymmetricKeyType ?? 'non-RSA'} key; CAS encrypts with RSA`);
      return undefined;
    }
    bits = key.asymmetricKeyDetails?.modulusLength;
  } catch {
    // never echo the parser's message: it may quote key material
    problems.push(`CAS_PGT_PRIVATE_KEY: ${file} is not an unencrypted PEM RSA private key`);
    return undefined;
  }
  if (!pem.includes('-----BEGIN RSA PRIVATE KEY-----') && !pem.includes('-----BEGIN PRIVATE KEY-----')) {
    problems.push(`CAS_PGT_PRIVATE_KEY: ${file} must be PEM ("BEGIN PRIVATE KEY" or "BEGIN RSA PRIVATE KEY")`);
    return undefined;
  }
  if (bits === undefined || bits < MIN_PGT_KEY_BITS) {
    problems.push(`CAS_PGT_PRIVATE_KEY: the key has ${bits ?? 'unknown'} bits; use at least ${MIN_PGT_KEY_BITS} (4096 recommended) so CAS can encrypt long tickets`);
    return undefined;
  }
  try {
    if ((statSync(file).mode & 0o077) !== 0) warnings.push(`CAS_PGT_PRIVATE_KEY: ${file} is readable by other users; chmod 600 it`);
  } catch {
    // read above worked; a stat failure is not worth stopping for
  }
  return pem;
}

export function resolveCasProxy(input: CasProxyInput): Checked<CasProxyConfig | undefined> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const callback = checkCallback(input, problems);
  const pem = input.privateKeyPath ? readPrivateKey(input.privateKeyPath, problems, warnings) : undefined;
  if (input.privateKeyPath && input.callbackUrl === undefined) {
    problems.push('CAS_PGT_PRIVATE_KEY: needs CAS_PROXY_CALLBACK_URL as well: CAS creates a proxy-granting ticket only '
      + 'for a validation that carries a pgtUrl, and checks that this URL answers even when it returns the ticket encrypted');
  }
  if (input.proxyUrl !== undefined && input.callbackUrl === undefined) {
    warnings.push('CAS_PROXY_URL is set but CAS_PROXY_CALLBACK_URL is not: CAS proxying stays off');
  }
  if (!callback || problems.length) return { value: undefined, problems, warnings };
  return {
    value: {
      callbackUrl: callback.href,
      callbackPath: callback.pathname,
      proxyUrl: input.proxyUrl ?? `${input.casBase}/proxy`,
      pgtPrivateKeyPem: pem,
    },
    problems,
    warnings,
  };
}

/** Problems of one client's `cas_proxy_targets`, each naming the entry. */
export function proxyTargetProblems(where: string, targets: readonly string[]): string[] {
  const problems: string[] = [];
  targets.forEach((entry, i) => {
    const problem = targetEntryProblem(entry);
    if (problem) problems.push(`${where}.cas_proxy_targets[${i}]: ${problem}`);
  });
  return problems;
}
