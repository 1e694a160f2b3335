// check-config probes the chosen protocol's validation endpoint of the real CAS server with a ticket
// that cannot exist, recognises that protocol's failure answer, and says so when the URL speaks
// another protocol. It also checks pairwise clients' sector documents.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { probeValidation } from '../../lib/check/probe.js';
import { checkConfig } from '../../lib/check/report.js';
import { requireRealCas, startRealCas, type RealCas } from '../support/real-cas.js';
import { stubServer, type Stub } from '../support/stub-server.js';

const SECRET_KEY = 'check-config-secret-key-0123456789-abcdefghijklmnop';
const CLIENT_SECRET = 'check-config-client-secret-0123456789-QRSTUVWXYZ';

describe('check-config per CAS protocol (real CAS server)', function () {
  this.timeout(120_000);
  let cas: RealCas;

  before(async function () {
    requireRealCas(this);
    cas = await startRealCas();
  });
  after(async () => {
    await cas?.stop();
  });

  const check = (extra: Record<string, string>) => checkConfig({
    env: {
      ISSUER: 'http://127.0.0.1:9',
      COOKIE_SECURE: 'false',
      SECRET_KEY,
      CAS_LOGIN_URL: `${cas.url}/login`,
      // the single client, unless a spec gives a list
      ...(extra.CLIENTS ? {} : { CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: 'http://127.0.0.1:9/cb' }),
      ...extra,
    },
  });
  /** The probe lines of the validation endpoint: status mark, URL, message. */
  const validationProbe = (text: string): string => /^ {2}\[[^\]]+\] *CAS ticket validation: .*\n.*$/m.exec(text)?.[0] ?? text;

  it('each protocol\'s endpoint answers a dummy ticket the way that protocol fails', async () => {
    const expected = {
      cas3: /\[ok\] {3}CAS ticket validation: \S+\/p3\/serviceValidate\n +answers a dummy ticket with a CAS authenticationFailure \(INVALID_TICKET\), as CAS does \(CAS 3, /,
      cas2: /\[ok\] {3}CAS ticket validation: \S+\/serviceValidate\n +answers a dummy ticket with a CAS authenticationFailure \(INVALID_TICKET\), as CAS does \(CAS 2, /,
      saml11: /\[ok\] {3}CAS ticket validation: \S+\/samlValidate\n +answers a dummy ticket with a SAML 1\.1 Response with status AuthnFailed \(SAML 1\.1, /,
      cas1: /\[ok\] {3}CAS ticket validation: \S+\/validate\n +answers a dummy ticket with "no", as CAS 1 does \(CAS 1, /,
    };
    for (const [protocol, pattern] of Object.entries(expected)) {
      const { text, exitCode } = await check({ CAS_PROTOCOL: protocol });
      expect(exitCode, text).to.equal(0);
      expect(validationProbe(text), protocol).to.match(pattern);
      expect(text).to.match(new RegExp(`The bridge validates at: +\\S+ \\(${protocol === 'saml11' ? 'SAML 1\\.1' : `CAS ${protocol.slice(3)}`}\\)`));
    }
    // what the CAS administrators are asked for follows the protocol
    expect((await check({ CAS_PROTOCOL: 'cas1' })).text).to.contain('Attributes to release:      none: CAS 1 (/validate) carries the user name only');
  });

  it('a URL that speaks another protocol is named for what it is', async () => {
    const cas1AtCas3 = await check({ CAS_PROTOCOL: 'cas1', CAS_VALIDATE_URL: `${cas.url}/p3/serviceValidate` });
    expect(cas1AtCas3.exitCode).to.equal(1);
    expect(validationProbe(cas1AtCas3.text)).to.match(/\[FAIL\] CAS ticket validation: .*\n +speaks another protocol than CAS_PROTOCOL=cas1: the answer is CAS 2\/3 XML \(cas:serviceResponse\): set CAS_PROTOCOL=cas3 or cas2/);

    const cas3AtCas1 = await check({ CAS_PROTOCOL: 'cas3', CAS_VALIDATE_URL: `${cas.url}/validate` });
    expect(cas3AtCas1.exitCode).to.equal(1);
    expect(cas3AtCas1.text).to.match(/\[warn\] CAS_VALIDATE_URL ends like a CAS 1 endpoint but CAS_PROTOCOL is cas3/);
    expect(validationProbe(cas3AtCas1.text)).to.match(/speaks another protocol than CAS_PROTOCOL=cas3: the answer is a CAS 1 plain-text answer \(yes\/no\): set CAS_PROTOCOL=cas1/);

    // django answers a POST to /validate with its CSRF refusal
    const samlAtValidate = await check({ CAS_PROTOCOL: 'saml11', CAS_VALIDATE_URL: `${cas.url}/validate` });
    expect(samlAtValidate.exitCode).to.equal(1);
    expect(validationProbe(samlAtValidate.text)).to.match(/answers HTTP 403 to a SAML 1\.1 validation request, not 200 .*: is this the \/samlValidate URL\?/);

    const cas3AtSaml = await check({ CAS_PROTOCOL: 'cas3', CAS_VALIDATE_URL: `${cas.url}/samlValidate` });
    expect(validationProbe(cas3AtSaml.text)).to.match(/answers HTTP 405 to a CAS 3 validation request.*is this the \/p3\/serviceValidate URL\?/);
  });

  describe('sector documents of pairwise clients', () => {
    let sector: Stub;
    let document: unknown;
    before(async () => {
      sector = await stubServer((_req, res) => res.end(JSON.stringify(document)));
    });
    after(async () => {
      await sector?.close();
    });

    it('are fetched and checked like at start', async () => {
      const clients = JSON.stringify([{
        client_id: 'rp', client_secret: CLIENT_SECRET, subject_type: 'pairwise',
        redirect_uris: ['http://127.0.0.1:9/cb', 'http://localhost:9/cb'], sector_identifier_uri: `${sector.url}/uris.json`,
      }]);
      const settings = { CLIENTS: clients };
      document = ['http://127.0.0.1:9/cb', 'http://localhost:9/cb'];
      const good = await check(settings);
      expect(good.exitCode, good.text).to.equal(0);
      expect(good.text).to.contain(`[ok]   sector_identifier_uri of rp: ${sector.url}/uris.json\n         lists every redirect URI of the client`);
      expect(good.text).to.contain(`subject: pairwise, sector ${new URL(sector.url).host} (from ${sector.url}/uris.json)`);

      document = ['http://127.0.0.1:9/cb'];
      const bad = await check(settings);
      expect(bad.exitCode).to.equal(1);
      expect(bad.text).to.contain(`[FAIL] sector_identifier_uri of rp: ${sector.url}/uris.json\n         clients[0].sector_identifier_uri: ${sector.url}/uris.json does not list the client's redirect URI http://localhost:9/cb`);
    });
  });
});

describe('check-config reads the SAML 1.1 status a dummy ticket gets', () => {
  let cas: Stub;
  let answer = '';
  before(async () => {
    cas = await stubServer((_req, res) => res.end(answer));
  });
  after(async () => {
    await cas?.close();
  });
  const samlFixture = (name: string): string => readFileSync(new URL(`../fixtures/cas/${name}`, import.meta.url), 'utf8');
  const probe = async (body: string) => {
    answer = body;
    return probeValidation(`${cas.url}/samlValidate`, 'https://bridge.example/interaction/callback', 5000, 'saml11');
  };

  it('AuthnFailed (django-cas-server) and RequestDenied (Apereo) are how CAS fails an unknown ticket: ok', async () => {
    const django = await probe(samlFixture('samlValidate-AuthnFailed-wrong-TARGET.xml'));
    expect(django.status).to.equal('ok');
    expect(django.message).to.match(/^answers a dummy ticket with a SAML 1\.1 Response with status AuthnFailed \(SAML 1\.1, /);
    const apereo = await probe(samlFixture('crafted-apereo-samlValidate-RequestDenied.xml'));
    expect(apereo.status).to.equal('ok');
    expect(apereo.message).to.contain('status RequestDenied');
  });

  it('VersionMismatch (the request was not read) and other statuses: a warning that says why', async () => {
    const mismatch = await probe(samlFixture('samlValidate-VersionMismatch-empty-request.xml'));
    expect(mismatch.status).to.equal('warn');
    expect(mismatch.message).to.contain('status VersionMismatch: the server did not read the bridge\'s SAML 1.1 request');
    const other = await probe(samlFixture('samlValidate-VersionMismatch-empty-request.xml').replace('samlp:VersionMismatch', 'samlp:Responder'));
    expect(other.status).to.equal('warn');
    expect(other.message).to.contain('status Responder, not the AuthnFailed or RequestDenied a CAS server answers an unknown ticket with');
  });
});
