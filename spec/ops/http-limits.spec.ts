// Slow clients cannot hold connections (issue 14, section 5): a request whose body does not arrive
// within REQUEST_TIMEOUT_MS gets 408 and its connection closed, so do headers that do not arrive
// within HEADERS_TIMEOUT_MS; an idle kept-alive connection is not cut by those limits and still
// serves its next request. (Node's default would hold a slow body for 300 s.)
import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { HEADERS_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../../lib/http/server.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';

interface Conversation {
  readonly socket: Socket;
  received(): string;
  /** ms from opening until the server closed the connection */
  readonly closed: Promise<number>;
}

function open(port: number): Conversation {
  const started = Date.now();
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => { text += d.toString(); });
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
  return { socket, received: () => text, closed };
}

describe('HTTP limits for slow clients', function () {
  this.timeout(REQUEST_TIMEOUT_MS + 30_000);
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let bridge: TestBridge;
  let port: number;
  before(async () => {
    cas = await new MiniCas({}).listen();
    bridge = await startTestBridge({ CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: ['http://127.0.0.1:9/cb'] });
    port = Number(new URL(bridge.url).port);
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  it('the bridge\'s server runs with the limits', () => {
    expect(bridge.server.requestTimeout).to.equal(REQUEST_TIMEOUT_MS);
    expect(bridge.server.headersTimeout).to.equal(HEADERS_TIMEOUT_MS);
    expect(bridge.server.keepAliveTimeout).to.equal(KEEP_ALIVE_TIMEOUT_MS);
    expect(REQUEST_TIMEOUT_MS).to.be.below(300_000);
  });

  it('a slow body and slow headers get 408 and a closed connection; an idle kept-alive connection still serves', async () => {
    const slowBody = open(port);
    slowBody.socket.write('POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ngrant_type=');
    const slowHeaders = open(port);
    slowHeaders.socket.write('GET /.well-known/openid-configuration HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const idle = open(port);
    idle.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');

    const headersClosedAfter = await slowHeaders.closed;
    expect(slowHeaders.received()).to.match(/^HTTP\/1\.1 408 /);
    expect(headersClosedAfter).to.be.at.least(HEADERS_TIMEOUT_MS - 500).and.below(REQUEST_TIMEOUT_MS);

    // the idle connection outlived the headers limit and serves again
    expect(idle.socket.destroyed).to.equal(false);
    idle.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const deadline = Date.now() + 10_000;
    while ((idle.received().match(/HTTP\/1\.1 200 /g) ?? []).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((idle.received().match(/HTTP\/1\.1 200 /g) ?? []).length).to.equal(2);
    idle.socket.destroy();

    const bodyClosedAfter = await slowBody.closed;
    expect(slowBody.received()).to.match(/^HTTP\/1\.1 408 /);
    expect(bodyClosedAfter).to.be.at.least(REQUEST_TIMEOUT_MS - 500).and.below(REQUEST_TIMEOUT_MS + 15_000);
  });
});
