// sector_identifier_uri documents (OpenID Connect Core 8.1 and 5 of Dynamic Registration): an
// https URL answering a JSON array that lists every redirect URI of the client. Fetched and
// checked once at start; a document that is missing or does not list the client's redirect URIs
// stops the bridge, since the sector decides every `sub` the client will ever see.
import got, { RequestError, TimeoutError } from 'got';
import { ConfigError, type ClientConfig } from '../config/index.js';

const MAX_BYTES = 64 * 1024;
export const SECTOR_FETCH_TIMEOUT_MS = 10_000;

/** Why the client's sector document does not do, or undefined when it does. */
export async function sectorDocumentProblem(client: ClientConfig, timeoutMs = SECTOR_FETCH_TIMEOUT_MS): Promise<string | undefined> {
  const uri = client.sectorIdentifierUri;
  if (uri === undefined || client.subjectType !== 'pairwise') return undefined;
  const where = `${client.where}.sector_identifier_uri`;
  const request = got.get(uri, {
    retry: { limit: 0 },
    timeout: { request: timeoutMs },
    followRedirect: false,
    throwHttpErrors: false,
    headers: { accept: 'application/json', 'user-agent': 'cas-oidc-bridge' },
  });
  request.on('downloadProgress', (p: { transferred: number }) => {
    if (p.transferred > MAX_BYTES) request.cancel('too large');
  });
  let response;
  try {
    response = await request;
  } catch (err) {
    if (err instanceof TimeoutError) return `${where}: ${uri} did not answer within ${timeoutMs} ms`;
    if (err instanceof RequestError && err.name === 'CancelError') return `${where}: ${uri} answers more than ${MAX_BYTES} bytes`;
    return `${where}: ${uri} cannot be fetched (${err instanceof RequestError ? err.code ?? err.message : String(err)})`;
  }
  if (response.statusCode !== 200) return `${where}: ${uri} answers HTTP ${response.statusCode}, not 200 with a JSON array`;
  let listed: unknown;
  try {
    listed = JSON.parse(response.body);
  } catch {
    return `${where}: ${uri} does not answer JSON`;
  }
  if (!Array.isArray(listed) || listed.some((v) => typeof v !== 'string')) return `${where}: ${uri} must answer a JSON array of redirect URIs`;
  const missing = [...client.redirectUris, ...client.redirectUriAllowlist].filter((r) => !listed.includes(r));
  if (missing.length) return `${where}: ${uri} does not list the client's redirect URI${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`;
  return undefined;
}

/** Every pairwise client's sector document, checked at once; one problem per client that fails. */
export async function sectorDocumentProblems(clients: readonly ClientConfig[], timeoutMs?: number): Promise<string[]> {
  const problems = await Promise.all(clients.map((c) => sectorDocumentProblem(c, timeoutMs)));
  return problems.filter((p): p is string => p !== undefined);
}

/** At start (a single process, or a cluster's primary): stops with every sector problem listed. */
export async function requireSectorDocuments(clients: readonly ClientConfig[]): Promise<void> {
  const problems = await sectorDocumentProblems(clients);
  if (problems.length) throw new ConfigError(problems);
}
