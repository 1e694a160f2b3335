import { expect } from 'chai';
import { availableParallelism } from 'node:os';
import { configOf, problemsOf, validEnv, writeJson, tempDir } from './support.js';

describe('WORKERS and the database pool settings', () => {
  it('defaults to one process, takes a count, and `auto` is the CPU count', () => {
    expect(configOf({ env: validEnv() }).workers).to.equal(1);
    expect(configOf({ env: validEnv({ WORKERS: '3' }) }).workers).to.equal(3);
    expect(configOf({ env: validEnv({ WORKERS: 'AUTO' }) }).workers).to.equal(availableParallelism());
    const dir = tempDir();
    const file = writeJson(dir, 'config.json', { WORKERS: 'auto' });
    expect(configOf({ cwd: dir, configPath: file, env: validEnv() }).workers).to.equal(availableParallelism());
  });

  it('refuses 0, more than 256, fractions and words other than auto', () => {
    expect(problemsOf({ env: validEnv({ WORKERS: '0' }) })).to.include('WORKERS: must be at least 1 (environment)');
    expect(problemsOf({ env: validEnv({ WORKERS: '300' }) })).to.include('WORKERS: must be at most 256 (environment)');
    expect(problemsOf({ env: validEnv({ WORKERS: '1.5' }) })).to.include('WORKERS: must be a whole number or auto (environment)');
    expect(problemsOf({ env: validEnv({ WORKERS: 'many' }) })).to.include('WORKERS: must be a whole number or auto (environment)');
  });

  it('passes the pool acquire timeout on in milliseconds', () => {
    expect(configOf({ env: validEnv() }).database.acquireTimeoutMs).to.equal(30_000);
    expect(configOf({ env: validEnv({ DATABASE_POOL_ACQUIRE_TIMEOUT: '2.5' }) }).database.acquireTimeoutMs).to.equal(2500);
    expect(problemsOf({ env: validEnv({ DATABASE_POOL_ACQUIRE_TIMEOUT: '0' }) })).to.include('DATABASE_POOL_ACQUIRE_TIMEOUT: must be at least 0.1 (environment)');
  });
});
