// The scripted stand-in for customiser commands, and the Packer log formats.
import * as assert from 'assert';
import { NanoClock, ContainerLog } from './containerGroups';
import { goLogTime, packerDuration, PackerLog } from './packerLog';
import { createHash } from 'crypto';
import type { VmAccess, VmFile, VmResponse } from './buildVm';
import { simulateScript, splitCommands } from './scriptSim';

describe('simulator: scripted customisers and log lines', () => {
  it('echoes output, stops at exit N and reports the failing command', async () => {
    const r = await simulateScript(
      'Shell',
      ['echo "one"; echo two', '# comment', 'echo three >&2', 'exit 4', 'echo never'],
      '/tmp/s.sh',
    );
    assert.deepStrictEqual(r.output, [
      { stream: 'out', text: 'one' },
      { stream: 'out', text: 'two' },
      { stream: 'err', text: 'three' },
    ]);
    assert.strictEqual(r.exitCode, 4);
    assert.strictEqual(r.failingCommand, 'exit 4');
  });

  it('PowerShell: Write-Error then bare exit, or throw, end with 1; sleeps add time', async () => {
    const a = await simulateScript(
      'PowerShell',
      ['Write-Host hi', 'Write-Error -Message "bad thing"', 'exit'],
      'C:\\s.ps1',
    );
    assert.strictEqual(a.exitCode, 1);
    assert.strictEqual(a.output[1].text, 'C:\\s.ps1 : bad thing');
    const b = await simulateScript(
      'PowerShell',
      ["Start-Sleep -Seconds 90; throw 'nope'"],
      'C:\\s.ps1',
    );
    assert.strictEqual(b.exitCode, 1);
    assert.strictEqual(b.sleepSeconds, 90);
    assert.strictEqual(b.output[0].text, 'nope');
    assert.strictEqual((await simulateScript('PowerShell', ['Write-Error "x"'], 's')).exitCode, 0);
    assert.strictEqual((await simulateScript('Shell', ['exit'], 's')).exitCode, 0);
  });

  it('splits on ; outside quotes and brackets', () => {
    assert.deepStrictEqual(splitCommands(`echo 'a;b'; echo "c;d" ;exit 0`), [
      `echo 'a;b'`,
      'echo "c;d"',
      'exit 0',
    ]);
    assert.deepStrictEqual(splitCommands(`iwr -Headers @{ a = 'b'; c = "d" } -Uri u; exit 0`), [
      `iwr -Headers @{ a = 'b'; c = "d" } -Uri u`,
      'exit 0',
    ]);
  });

  it('Shell: variables, pipelines, && / ||, set -e, and redirections', async () => {
    const r = await simulateScript(
      'Shell',
      [
        'NAME=world; echo "hello $NAME" \'${UNSET}\'',
        "printf '%s-%s\\n' a b c d | sed -n 's/^\\([a-z]\\)-.*/first \\1/p'",
        'false && echo never; false || echo "or ran"',
        'echo hidden >/dev/null; echo to-err 1>&2',
        'set -e',
        'false || false',
        'echo never',
      ],
      '/tmp/s.sh',
    );
    assert.deepStrictEqual(r.output, [
      { stream: 'out', text: 'hello world ${UNSET}' },
      { stream: 'out', text: 'first a' },
      { stream: 'out', text: 'first c' },
      { stream: 'out', text: 'or ran' },
      { stream: 'err', text: 'to-err' },
    ]);
    assert.strictEqual(r.exitCode, 1);
    assert.strictEqual(r.failingCommand, 'false || false');
  });

  const vm = (answer: (url: string, headers: Record<string, string>) => VmResponse) => {
    const files = new Map<string, VmFile>();
    const asked: { url: string; headers: Record<string, string> }[] = [];
    const access: VmAccess = {
      get: (url, headers) => {
        asked.push({ url, headers });
        return Promise.resolve(answer(url, headers));
      },
      readFile: (p) => files.get(p.toLowerCase()),
      writeFile: (p, c) => {
        files.set(p.toLowerCase(), c);
      },
    };
    return { access, files, asked };
  };
  const ZIP = Buffer.from('PK-archive');
  const ZIP_SHA = createHash('sha256').update(ZIP).digest('hex');
  const imdsThenBlob = (url: string, headers: Record<string, string>): VmResponse =>
    url.startsWith('http://169.254.169.254/')
      ? {
          status: 200,
          body: Buffer.from(JSON.stringify({ access_token: 'tok-123', token_type: 'Bearer' })),
        }
      : headers.Authorization === 'Bearer tok-123'
        ? { status: 200, body: ZIP }
        : {
            status: 403,
            body: Buffer.from(
              '<?xml version="1.0"?><Error><Code>AuthorizationPermissionMismatch</Code></Error>',
            ),
          };

  it('PowerShell: IMDS token into a variable, a download with it, the sha256 checked', async () => {
    const v = vm(imdsThenBlob);
    const script = [
      "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'",
      "$token = (Invoke-RestMethod -UseBasicParsing -Headers @{ Metadata = 'true' } -Uri " +
        "'http://169.254.169.254/metadata/identity/oauth2" +
        '/token?api-version=2018-02-01&resource=https://storage.azure.com' +
        "/&client_id=c1').access_token",
      `Invoke-WebRequest -UseBasicParsing -Headers @{ Authorization = "Bearer $token"; ` +
        `'x-ms-version' = '2023-11-03' } -Uri 'https://127.0.0.1/acct/c/a.zip' -OutFile ` +
        `'C:\\BuildArtifacts\\a.zip'`,
      `if ((Get-FileHash -Algorithm SHA256 -LiteralPath 'C:\\BuildArtifacts\\a.zip').Hash ` +
        `-ne '${ZIP_SHA.toUpperCase()}') { throw 'checksum' }`,
      "Write-Host 'done'",
    ];
    const ok = await simulateScript('PowerShell', script, 'C:\\s.ps1', v.access);
    assert.deepStrictEqual(ok.output, [{ stream: 'out', text: 'done' }]);
    assert.strictEqual(v.asked[0].headers.Metadata, 'true');
    assert.deepStrictEqual(v.asked[1].headers, {
      Authorization: 'Bearer tok-123',
      'x-ms-version': '2023-11-03',
    });
    assert.ok((v.files.get('c:\\buildartifacts\\a.zip') as Buffer).equals(ZIP));

    const wrongSum = await simulateScript(
      'PowerShell',
      script.map((l) => l.replace(ZIP_SHA.toUpperCase(), '0'.repeat(64))),
      'C:\\s.ps1',
      vm(imdsThenBlob).access,
    );
    assert.strictEqual(wrongSum.exitCode, 1);
    assert.strictEqual(wrongSum.output[0].text, 'checksum');

    const denied = await simulateScript(
      'PowerShell',
      script,
      'C:\\s.ps1',
      vm((url) =>
        url.startsWith('http://169')
          ? {
              status: 400,
              body: Buffer.from(
                '{"error":"invalid_request","error_description":"Identity not found"}',
              ),
            }
          : { status: 200, body: ZIP },
      ).access,
    );
    assert.strictEqual(denied.exitCode, 1);
    assert.strictEqual(
      denied.output[0].text,
      'Invoke-RestMethod : {"error":"invalid_request","error_description":"Identity not found"}',
    );
    assert.match(
      denied.output[denied.output.length - 1].text,
      new RegExp(
        'FullyQualifiedErrorId : ' +
          'WebCmdletWebResponseException,Microsoft\\.PowerShell\\.Commands\\.In' +
          'vokeRestMethodCommand',
      ),
    );
  });

  it('Shell: IMDS JSON via sed into a variable, curl -f with bearer, sha256sum -c', async () => {
    const v = vm(imdsThenBlob);
    const script = [
      'set -e',
      "IMDS=$(curl -fsS --noproxy '*' -H 'Metadata: true' " +
        "'http://169.254.169.254/metadata/identity/oauth2" +
        "/token?api-version=2018-02-01&resource=https://storage.azure.com/&client_id=c1')",
      `TOKEN=$(printf '%s' "$IMDS" | sed -n 's/.*"access_token": *"\\([^"]*\\)".*/\\1/p')`,
      `curl -fsS --retry 5 -H "Authorization: Bearer $TOKEN" -H 'x-ms-version: 2023-11-03' ` +
        `-o '/tmp/a.zip' 'https://127.0.0.1/acct/c/a.zip'`,
      `printf '%s  %s\\n' '${ZIP_SHA}' '/tmp/a.zip' | sha256sum -c --quiet -`,
      "echo 'done'",
    ];
    const ok = await simulateScript('Shell', script, '/tmp/s.sh', v.access);
    assert.deepStrictEqual(ok.output, [{ stream: 'out', text: 'done' }]);
    assert.deepStrictEqual(v.asked[1].headers, {
      Authorization: 'Bearer tok-123',
      'x-ms-version': '2023-11-03',
    });

    const wrongSum = await simulateScript(
      'Shell',
      script.map((l) => l.replace(ZIP_SHA, 'f'.repeat(64))),
      '/tmp/s.sh',
      vm(imdsThenBlob).access,
    );
    assert.deepStrictEqual(wrongSum.output, [
      { stream: 'out', text: '/tmp/a.zip: FAILED' },
      { stream: 'err', text: 'sha256sum: WARNING: 1 computed checksum did NOT match' },
    ]);
    assert.strictEqual(wrongSum.exitCode, 1);

    const noToken = await simulateScript(
      'Shell',
      script,
      '/tmp/s.sh',
      vm((url) =>
        url.startsWith('http://169')
          ? { status: 400, body: Buffer.from('{}') }
          : { status: 200, body: ZIP },
      ).access,
    );
    assert.deepStrictEqual(noToken.output, [
      { stream: 'err', text: 'curl: (22) The requested URL returned error: 400' },
    ]);
    assert.strictEqual(noToken.exitCode, 22);
  });

  it('formats lines as AIB and Packer print them', () => {
    const lines: string[] = [];
    const at = new Date(Date.UTC(2024, 10, 21, 8, 5, 9));
    const log = new PackerLog(
      '11111111-2222-3333-4444-555555555555',
      (l) => lines.push(l),
      () => at,
    );
    log.say('Provisioning with Powershell...');
    log.message('hello');
    log.startProvisioner('powershell');
    log.out('');
    assert.deepStrictEqual(lines, [
      '[11111111-2222-3333-4444-555555555555] PACKER OUT ==> azure-arm: Provisioning with ' +
        'Powershell...',
      '[11111111-2222-3333-4444-555555555555] PACKER OUT     azure-arm: hello',
      '[11111111-2222-3333-4444-555555555555] PACKER ERR 2024/11/21 08:05:09 [INFO] ' +
        '(telemetry) Starting provisioner powershell',
      '[11111111-2222-3333-4444-555555555555] PACKER OUT',
    ]);
    assert.strictEqual(goLogTime(at), '2024/11/21 08:05:09');
    assert.strictEqual(packerDuration(724_000), '12 minutes 4 seconds');
    assert.strictEqual(packerDuration(3_600_000), '1 hour');
  });

  it(
    'container log: strictly increasing RFC3339Nano timestamps, tail, and no writes after ' +
      'the container stopped',
    () => {
      const log = new ContainerLog(new NanoClock());
      for (let i = 0; i < 50; i++) log.append(`line ${i}`);
      const stamped = log
        .render(undefined, true)
        .trimEnd()
        .split('\n')
        .map((l) => l.split(' ')[0]);
      for (const ts of stamped) assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      for (let i = 1; i < stamped.length; i++)
        assert.ok(stamped[i] > stamped[i - 1], `${stamped[i]} after ${stamped[i - 1]}`);
      assert.strictEqual(log.render(2, false), 'line 48\nline 49\n');
      assert.strictEqual(log.render(0, false), '');
      log.close();
      log.append('late');
      assert.strictEqual(log.length, 50);
    },
  );
});
