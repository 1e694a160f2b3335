// A relying party's back-channel logout endpoint for specs: records every logout token POSTed to it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export interface BackchannelReceiver {
  readonly url: string;
  /** logout tokens received, in order */
  readonly tokens: string[];
  /** status to answer with (default 200) */
  status: number;
  close(): Promise<void>;
}

export async function backchannelReceiver(path = '/backchannel-logout'): Promise<BackchannelReceiver> {
  const tokens: string[] = [];
  const receiver = { tokens, status: 200 } as { tokens: string[]; status: number };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const token = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('logout_token');
      if (req.method === 'POST' && req.url === path && token) tokens.push(token);
      res.statusCode = receiver.status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}${path}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  });
}

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Verifies a logout token the way a relying party must (OpenID Back-Channel Logout 1.0 §2.6). */
export async function verifyLogoutToken(token: string, issuer: string, clientId: string): Promise<JWTPayload> {
  const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer, audience: clientId });
  if (protectedHeader.alg === 'none') throw new Error('unsigned logout token');
  if (typeof payload.iat !== 'number' || typeof payload.jti !== 'string') throw new Error('logout token without iat/jti');
  const events = payload.events as Record<string, unknown> | undefined;
  if (!events || typeof events[BACKCHANNEL_LOGOUT_EVENT] !== 'object') throw new Error('logout token without the back-channel logout event');
  if ('nonce' in payload) throw new Error('logout token with a nonce');
  return payload;
}
