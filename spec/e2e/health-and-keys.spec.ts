// /healthz follows the database; the signing keys live in the database, so a restart on the same
// database serves the same JWKS (same kids) and still verifies the ID tokens issued before it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge } from '../support/bridge.js';
import { scriptedCas, xmlAnswer, type ScriptedCas } from '../support/scripted-cas.js';
import { fixture } from '../cas/support.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';

describe('health and signing keys', () => {
  let cas: ScriptedCas;
  before(async () => {
    cas = await scriptedCas(xmlAnswer(fixture('p3-serviceValidate-success-alice.xml')));
  });
  after(async () => {
    await cas?.close();
  });
  const settings = () => ({ CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT] });

  it('/healthz: 200 {"status":"ok"} while the database answers, 503 once it does not', async () => {
    const bridge = await startTestBridge(settings());
    try {
      const ok = await fetch(`${bridge.issuer}/healthz`);
      expect(ok.status).to.equal(200);
      expect(ok.headers.get('content-type')).to.match(/^application\/json/);
      expect(ok.headers.get('cache-control')).to.equal('no-store');
      expect(await ok.json()).to.deep.equal({ status: 'ok' });
      expect((await fetch(`${bridge.issuer}/healthz`, { method: 'HEAD' })).status).to.equal(200);

      await bridge.services.db.close();
      const down = await fetch(`${bridge.issuer}/healthz`);
      expect(down.status).to.equal(503);
      const body = (await down.json()) as { status: string };
      expect(body.status).to.not.equal('ok');
      expect(JSON.stringify(body)).not.to.match(/sqlite|SQLITE|\/tmp\//); // no internals
    } finally {
      await bridge.stop().catch(() => undefined);
    }
  });

  it('an RS256 and an ES256 key with the same kids after a restart on the same database; old ID tokens still verify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-keys-spec-'));
    try {
      const first = await startTestBridge(settings(), { dir });
      let before: JSONWebKeySet;
      let idToken: string;
      try {
        before = (await (await fetch(`${first.issuer}/jwks`)).json()) as JSONWebKeySet;
        const config = await oidc.discovery(new URL(first.issuer), 'rp', CLIENT_SECRET, undefined, { execute: [oidc.allowInsecureRequests] });
        const verifier = oidc.randomPKCECodeVerifier();
        const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', state: 'k', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
        const back = await new TestBrowser().follow(url.href, (l) => l.startsWith(REDIRECT));
        const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedState: 'k' });
        idToken = tokens.id_token!;
      } finally {
        await first.stop();
      }
      const kids = before.keys.map((k) => `${k.alg}:${k.kid}`).sort();
      expect(before.keys.map((k) => k.alg).sort()).to.deep.equal(['ES256', 'RS256']);

      const second = await startTestBridge(settings(), { dir });
      try {
        const after = (await (await fetch(`${second.issuer}/jwks`)).json()) as JSONWebKeySet;
        expect(after.keys.map((k) => `${k.alg}:${k.kid}`).sort()).to.deep.equal(kids);
        expect(decodeProtectedHeader(idToken).alg).to.equal('RS256');
        const { payload } = await jwtVerify(idToken, createLocalJWKSet(after), { audience: 'rp' });
        expect(payload.sub).to.equal('alice');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
