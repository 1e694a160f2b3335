import { expect } from 'chai';
import { HEALTHY_UPTIME_MS, RestartBackoff } from '../../lib/cluster/backoff.js';

describe('worker restart backoff', () => {
  it('replaces a worker that lived long at once, and waits longer after each quick death, up to 30 s', () => {
    const backoff = new RestartBackoff();
    expect(backoff.delayAfterDeath(HEALTHY_UPTIME_MS + 1)).to.equal(0);
    const quick = Array.from({ length: 9 }, () => backoff.delayAfterDeath(200));
    expect(quick).to.deep.equal([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    // a healthy life resets the count
    expect(backoff.delayAfterDeath(HEALTHY_UPTIME_MS)).to.equal(0);
    expect(backoff.delayAfterDeath(0)).to.equal(500);
  });
});
