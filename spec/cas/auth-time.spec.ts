// CAS authenticationDate → auth_time (epoch seconds), in the forms CAS servers send.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseAuthenticationDate } from '../../lib/cas/auth-time.js';
import { parseValidationResponse } from '../../lib/cas/xml.js';

const at = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

describe('CAS authenticationDate', () => {
  it("reads django-cas-server's ISO form (from a real response)", () => {
    const xml = readFileSync(new URL('../fixtures/cas/p3-serviceValidate-success-alice.xml', import.meta.url), 'utf8');
    const result = parseValidationResponse(xml);
    if (result.kind !== 'success') throw new Error('fixture is not a success');
    const raw = result.attributes.authenticationDate?.[0];
    expect(raw).to.equal('2026-11-22T05:30:32+00:00');
    expect(parseAuthenticationDate(raw)).to.equal(Date.UTC(2026, 10, 22, 5, 30, 32) / 1000);
  });

  it('reads the ISO forms with offsets, Z and fractions', () => {
    expect(parseAuthenticationDate('2026-11-22T05:30:33+00:00')).to.equal(at('2026-11-22T05:30:33Z'));
    expect(parseAuthenticationDate('2026-11-22T05:30:33.123456+00:00')).to.equal(at('2026-11-22T05:30:33Z'));
    expect(parseAuthenticationDate('2026-11-22T13:30:33+08:00')).to.equal(at('2026-11-22T05:30:33Z'));
    expect(parseAuthenticationDate('2026-11-22T05:30:33Z')).to.equal(at('2026-11-22T05:30:33Z'));
  });

  it("reads Apereo's Java ZonedDateTime form with a zone id", () => {
    expect(parseAuthenticationDate('2019-08-01T19:33:21.527+08:00[Asia/Shanghai]')).to.equal(Date.UTC(2019, 7, 1, 11, 33, 21) / 1000);
    expect(parseAuthenticationDate('2019-08-01T11:33:21.527123456Z[UTC]')).to.equal(at('2019-08-01T11:33:21Z'));
    expect(parseAuthenticationDate(' 2019-08-01T19:33:21+08:00[Asia/Shanghai] ')).to.equal(at('2019-08-01T11:33:21Z'));
  });

  it('gives nothing for a missing or unreadable value', () => {
    expect(parseAuthenticationDate(undefined)).to.equal(undefined);
    expect(parseAuthenticationDate('')).to.equal(undefined);
    expect(parseAuthenticationDate('yesterday')).to.equal(undefined);
    expect(parseAuthenticationDate('[Asia/Shanghai]')).to.equal(undefined);
  });
});
