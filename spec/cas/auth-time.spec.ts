// CAS authenticationDate -> auth_time (epoch seconds), in the forms CAS servers send.
import { expect } from 'chai';
import { parseAuthenticationDate } from '../../lib/cas/auth-time.js';
import { parseValidationResponse } from '../../lib/cas/xml.js';
import { fixture } from './support.js';

const epoch = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

describe('CAS authenticationDate', () => {
  it('django-cas-server\'s ISO 8601 with an offset (from the real response)', () => {
    const result = parseValidationResponse(fixture('p3-serviceValidate-success-alice.xml'));
    if (result.kind !== 'success') throw new Error('expected success');
    expect(parseAuthenticationDate(result.attributes.authenticationDate?.[0])).to.equal(epoch('2026-11-22T05:30:32Z'));
  });

  it('Apereo\'s ZonedDateTime with a zone id suffix', () => {
    expect(parseAuthenticationDate('2019-08-01T19:33:21.527+08:00[Asia/Shanghai]')).to.equal(epoch('2019-08-01T11:33:21Z'));
    expect(parseAuthenticationDate('2019-08-01T11:33:21.527Z[UTC]')).to.equal(epoch('2019-08-01T11:33:21Z'));
  });

  it('fractions longer than milliseconds (Java nanoseconds, Python microseconds)', () => {
    expect(parseAuthenticationDate('2026-11-22T05:30:39.371939+00:00')).to.equal(epoch('2026-11-22T05:30:39Z'));
    expect(parseAuthenticationDate('2019-08-01T19:33:21.527123456+08:00')).to.equal(epoch('2019-08-01T11:33:21Z'));
  });

  it('UTC "Z", negative offsets, surrounding whitespace', () => {
    expect(parseAuthenticationDate('2026-01-02T03:04:05Z')).to.equal(epoch('2026-01-02T03:04:05Z'));
    expect(parseAuthenticationDate('2026-01-01T22:04:05-05:00')).to.equal(epoch('2026-01-02T03:04:05Z'));
    expect(parseAuthenticationDate(' 2026-01-02T03:04:05Z\n')).to.equal(epoch('2026-01-02T03:04:05Z'));
  });

  it('a date-time without an offset is read as UTC, whatever the server\'s time zone', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'Asia/Shanghai'; // node applies a changed TZ at once
    try {
      expect(parseAuthenticationDate('2026-01-02T03:04:05')).to.equal(epoch('2026-01-02T03:04:05Z'));
      expect(parseAuthenticationDate('2026-01-02T03:04:05.123456')).to.equal(epoch('2026-01-02T03:04:05Z'));
      expect(parseAuthenticationDate('2026-01-02T03:04:05+08:00')).to.equal(epoch('2026-01-01T19:04:05Z'));
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('missing or unreadable values give undefined (the login time is used instead)', () => {
    for (const value of [undefined, '', 'yesterday', 'not-a-date', '2026-13-45T99:99:99Z']) {
      expect(parseAuthenticationDate(value), String(value)).to.equal(undefined);
    }
  });
});
