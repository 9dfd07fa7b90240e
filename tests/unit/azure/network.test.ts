import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { AddressInfo } from 'net';
import {
  createDefaultHttpClient,
  createEmptyPipeline,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import {
  networkPolicy,
  NetworkSettings,
  storageClientOptions,
} from '../../../tasks/common/azure/network';
import { AnonymousCredential, ContainerClient } from '@azure/storage-blob';
import { makeSimCertificates } from '../../sim/core/tls';

/**
 * The agent's proxy and CA settings reach every request made through our policy, on loopback only.
 */
describe('agent network settings (proxy, CA)', function () {
  this.timeout(20_000);
  let server: https.Server;
  let proxy: http.Server;
  let caFile: string;
  let target: string;
  const tunnels: string[] = [];

  before(async () => {
    const certs = await makeSimCertificates(fs.mkdtempSync(path.join(os.tmpdir(), 'gip-net-')));
    caFile = certs.caCertPath;
    server = https.createServer(
      { key: certs.server.keyPem, cert: certs.server.certPem },
      (_req, res) => res.end('{"ok":true}'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    target =
      `https://127.0.0.1:${(server.address() as AddressInfo).port}` +
      `/subscriptions?api-version=2022-12-01`;
    // A CONNECT proxy, as corporate agents have, recording every tunnel it opens.
    proxy = http.createServer();
    proxy.on('connect', (req, client: net.Socket, head) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  });
  after(() => {
    server?.close();
    proxy?.close();
  });

  async function get(settings: NetworkSettings): Promise<number> {
    const pipeline = createEmptyPipeline();
    const policy = networkPolicy(settings);
    if (policy) pipeline.addPolicy(policy);
    const response = await pipeline.sendRequest(
      createDefaultHttpClient(),
      createPipelineRequest({ url: target }),
    );
    return response.status;
  }

  it('trusts the agent CA (Agent.CAInfo)', async () => {
    assert.strictEqual(await get({ caFile }), 200);
    await assert.rejects(get({}), /self[- ]signed|unable to verify|certificate/i);
  });

  it('tunnels through the agent proxy, keeping the CA for the target', async () => {
    tunnels.length = 0;
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    assert.strictEqual(await get({ caFile, proxy: { url, bypass: [] } }), 200);
    assert.deepStrictEqual(tunnels, [new URL(target).host]);
  });

  it(
    'skips the proxy for URLs on its bypass list (regular expressions, as the agent gives ' +
      'them)',
    async () => {
      tunnels.length = 0;
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      assert.strictEqual(await get({ caFile, proxy: { url, bypass: ['127\\.0\\.0\\.1'] } }), 200);
      assert.deepStrictEqual(tunnels, []);
    },
  );

  it('adds nothing when the agent has no proxy or certificate settings', () => {
    assert.strictEqual(networkPolicy({}), undefined);
  });

  it('storage clients go through the agent proxy and trust its CA, as ARM clients do', async () => {
    tunnels.length = 0;
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const container = (settings: NetworkSettings) =>
      new ContainerClient(new URL('/c', target).href, new AnonymousCredential(), {
        retryOptions: { maxTries: 1 },
        ...storageClientOptions(settings),
      });
    assert.strictEqual(
      await container({ caFile, proxy: { url: proxyUrl, bypass: [] } }).exists(),
      true,
    );
    assert.deepStrictEqual(tunnels, [new URL(target).host]);
    assert.strictEqual(await container({ caFile }).exists(), true);
    await assert.rejects(container({}).exists(), /self[- ]signed|unable to verify|certificate/i);
    assert.deepStrictEqual(storageClientOptions({}), {});
  });
});
