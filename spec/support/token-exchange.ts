// RFC 8693 token exchange requests for CAS proxy tickets, as a client of the bridge sends them.
import { ACCESS_TOKEN_TYPE, CAS_PROXY_TICKET_TYPE, TOKEN_EXCHANGE_GRANT } from '../../lib/proxy/index.js';

export interface ExchangeAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

/** POST /token with client_secret_post; `params` override or add to the standard ones. */
export async function exchangeForProxyTicket(
  issuer: string,
  clientId: string,
  clientSecret: string,
  params: Record<string, string>,
): Promise<ExchangeAnswer> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: TOKEN_EXCHANGE_GRANT,
      client_id: clientId,
      client_secret: clientSecret,
      subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: CAS_PROXY_TICKET_TYPE,
      ...params,
    }),
  });
  return { status: response.status, body: await jsonBody(response), headers: response.headers };
}

/** A response's JSON object, or `{ raw: text }` when it is not JSON (for failure messages). */
export async function jsonBody(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { raw: text };
  }
}
