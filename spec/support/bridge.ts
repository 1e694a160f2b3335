// Starts a bridge for a spec: loopback, a fresh SQLite file (or TEST_DATABASE_URL's database when
// asked), quiet logs, settings given as overrides.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type SettingName } from '../../lib/config/index.js';
import { createLogger } from '../../lib/observability/logger.js';
import { startBridge, type RunningBridge } from '../../lib/server/bridge.js';
import { freePort } from './net.js';

export const TEST_SECRET = 'spec-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz';
export const CLIENT_SECRET = 'spec-client-secret-0123456789-ABCDEFGHIJKLMNOP';

export interface TestBridge extends RunningBridge {
  readonly issuer: string;
  /** every log line the bridge wrote, parsed */
  readonly logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startTestBridge(settings: Partial<Record<SettingName, unknown>>, options: { port?: number; dir?: string } = {}): Promise<TestBridge> {
  const port = options.port ?? await freePort();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'bridge-spec-'));
  const issuer = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    env: {},
    cwd: dir,
    overrides: {
      ISSUER: issuer,
      PORT: port,
      HOST: '127.0.0.1',
      SECRET_KEY: TEST_SECRET,
      COOKIE_SECURE: false,
      DATABASE_PATH: join(dir, 'bridge.sqlite3'),
      LOG_LEVEL: 'debug',
      ...settings,
    },
  });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const running = await startBridge(config, { logger: createLogger('debug', { destination: sink, pretty: false }) });
  return {
    ...running,
    issuer,
    logs,
    async stop() {
      await running.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
