// Compat-form redirect allowlist entries: scheme, host and port exact; path a prefix on a `/`
// boundary; compared on parsed URLs so look-alike hosts never pass.
import { expect } from 'chai';
import { allowlistEntryProblem, allowlistMatches, compileAllowlist } from '../lib/http/redirect-match.js';

const matches = (entry: string, candidate: string): boolean => allowlistMatches(compileAllowlist([entry]), candidate);

describe('redirect allowlist matching', () => {
  describe('an origin-only entry (https://sso.example.org)', () => {
    const entry = 'https://sso.example.org';

    it('admits any path on that exact origin', () => {
      for (const ok of ['https://sso.example.org', 'https://sso.example.org/', 'https://sso.example.org/realms/x/broker/cas/endpoint', 'https://sso.example.org:443/x', 'https://SSO.Example.ORG/x']) {
        expect(matches(entry, ok), ok).to.equal(true);
      }
    });

    it('refuses look-alike hosts', () => {
      for (const bad of [
        'https://sso.example.org.evil.test/x',
        'https://sso.example.org@evil.test',
        'https://sso.example.org@evil.test/x',
        'https://sso.example.org:pw@evil.test/',
        'https://sso.example.orgx',
        'https://sso.example.orgx/x',
        'https://xsso.example.org/',
        'https://evil.sso.example.org/',
        'https://sso.example.org./x',
        'https://sso.exаmple.org/x', // Cyrillic а
        'https://evil.test/https://sso.example.org',
        'https://evil.test/?u=https://sso.example.org',
        'https://evil.test#https://sso.example.org',
      ]) {
        expect(matches(entry, bad), bad).to.equal(false);
      }
    });

    it('refuses another port and another scheme', () => {
      for (const bad of ['https://sso.example.org:8443/', 'http://sso.example.org/', 'http://sso.example.org:443/', 'wss://sso.example.org/', 'javascript://sso.example.org/%0aalert(1)', 'ftp://sso.example.org/']) {
        expect(matches(entry, bad), bad).to.equal(false);
      }
    });

    it('refuses userinfo and fragments in the candidate, even on the right host', () => {
      expect(matches(entry, 'https://user@sso.example.org/x')).to.equal(false);
      expect(matches(entry, 'https://user:pw@sso.example.org/x')).to.equal(false);
      expect(matches(entry, 'https://sso.example.org/x#frag')).to.equal(false);
    });

    it('refuses what is not an absolute URL', () => {
      for (const bad of ['', '/relative', '//sso.example.org/x', 'sso.example.org/x', 'not a url']) {
        expect(matches(entry, bad), bad).to.equal(false);
      }
    });
  });

  describe('an entry with a path (Keycloak broker endpoint)', () => {
    const entry = 'https://sso.example.org/realms/uni/broker/cas/endpoint';

    it('admits the path itself and paths below it', () => {
      for (const ok of [
        entry,
        `${entry}/`,
        `${entry}/logout_response`,
        `${entry}?state=abc`,
        `${entry}/logout_response?x=1&y=2`,
        `${entry}/sub/../logout_response`, // normalised before comparing, as the browser will
      ]) {
        expect(matches(entry, ok), ok).to.equal(true);
      }
    });

    it('never matches as a plain string prefix', () => {
      for (const bad of [`${entry}x`, `${entry}_evil`, `${entry}.evil.test`, `${entry}-2/x`]) {
        expect(matches(entry, bad), bad).to.equal(false);
      }
    });

    it('refuses dot segments that climb out of the prefix, plain or encoded', () => {
      for (const bad of [
        `${entry}/../../other/endpoint`,
        `${entry}/..`,
        `${entry}/%2e%2e/%2e%2e/other`,
        `${entry}/%2E%2E/x`,
        `${entry}/.%2e/x`,
      ]) {
        expect(matches(entry, bad), bad).to.equal(false);
      }
    });

    it('refuses encoded slashes and backslashes', () => {
      for (const bad of [`${entry}%2f..%2f..%2fadmin`, `${entry}/a%2Fb`, `${entry}%5c..%5cadmin`, `${entry}/a%5Cb`, `${entry}\\..\\..\\admin`]) {
        expect(matches(entry, bad), bad).to.equal(false);
      }
    });

    it('compares the path case-sensitively', () => {
      expect(matches(entry, 'https://sso.example.org/realms/UNI/broker/cas/endpoint')).to.equal(false);
    });

    it('refuses the parent path and siblings', () => {
      expect(matches(entry, 'https://sso.example.org/realms/uni/broker/cas')).to.equal(false);
      expect(matches(entry, 'https://sso.example.org/realms/uni/broker/other/endpoint')).to.equal(false);
      expect(matches(entry, 'https://sso.example.org/')).to.equal(false);
    });
  });

  it('a trailing slash in the entry changes nothing (/app/ admits /app and /app/x, not /apple)', () => {
    expect(matches('https://a.example.org/app/', 'https://a.example.org/app')).to.equal(true);
    expect(matches('https://a.example.org/app/', 'https://a.example.org/app/x')).to.equal(true);
    expect(matches('https://a.example.org/app/', 'https://a.example.org/apple')).to.equal(false);
  });

  it('an entry with a query string is matched exactly', () => {
    const entry = 'https://a.example.org/cb?tenant=1';
    expect(matches(entry, entry)).to.equal(true);
    expect(matches(entry, 'https://a.example.org/cb?tenant=2')).to.equal(false);
    expect(matches(entry, 'https://a.example.org/cb')).to.equal(false);
    expect(matches(entry, 'https://a.example.org/cb/x?tenant=1')).to.equal(false);
  });

  it('an explicit default port is the same origin as no port', () => {
    expect(matches('https://a.example.org:443/cb', 'https://a.example.org/cb')).to.equal(true);
    expect(matches('http://127.0.0.1:8080/cb', 'http://127.0.0.1:8080/cb/x')).to.equal(true);
    expect(matches('http://127.0.0.1:8080/cb', 'http://127.0.0.1:8081/cb')).to.equal(false);
    expect(matches('http://127.0.0.1:8080/cb', 'http://localhost:8080/cb')).to.equal(false);
  });

  it('several entries: any one may match', () => {
    const list = compileAllowlist(['https://a.example.org/one', 'https://b.example.org/two']);
    expect(allowlistMatches(list, 'https://a.example.org/one/x')).to.equal(true);
    expect(allowlistMatches(list, 'https://b.example.org/two')).to.equal(true);
    expect(allowlistMatches(list, 'https://a.example.org/two')).to.equal(false);
    expect(allowlistMatches([], 'https://a.example.org/one')).to.equal(false);
  });

  it('entries that cannot be compared safely are refused at start', () => {
    expect(allowlistEntryProblem('https://sso.example.org/x')).to.equal(undefined);
    expect(allowlistEntryProblem('http://127.0.0.1:9/cb')).to.equal(undefined);
    expect(allowlistEntryProblem('sso.example.org')).to.equal('must be an absolute URL');
    expect(allowlistEntryProblem('ftp://sso.example.org')).to.equal('must be an http(s) URL');
    expect(allowlistEntryProblem('https://u:p@sso.example.org')).to.equal('must not carry credentials');
    expect(allowlistEntryProblem('https://sso.example.org/#x')).to.equal('must not carry a fragment');
  });
});
