// The scripted stand-in for customiser commands, and the Packer log formats.
import * as assert from 'assert';
import { NanoClock, ContainerLog } from './containerGroups';
import { goLogTime, packerDuration, PackerLog } from './packerLog';
import { simulateScript, splitCommands } from './scriptSim';

describe('simulator: scripted customisers and log lines', () => {
  it('echoes output, stops at exit N and reports the failing command', () => {
    const r = simulateScript('Shell', ['echo "one"; echo two', '# comment', 'echo three >&2', 'exit 4', 'echo never'], '/tmp/s.sh');
    assert.deepStrictEqual(r.output, [{ stream: 'out', text: 'one' }, { stream: 'out', text: 'two' }, { stream: 'err', text: 'three' }]);
    assert.strictEqual(r.exitCode, 4);
    assert.strictEqual(r.failingCommand, 'exit 4');
  });

  it('PowerShell: Write-Error then a bare exit ends with 1; throw ends with 1; sleeps add time', () => {
    const a = simulateScript('PowerShell', ['Write-Host hi', 'Write-Error -Message "bad thing"', 'exit'], 'C:\\s.ps1');
    assert.strictEqual(a.exitCode, 1);
    assert.strictEqual(a.output[1].text, 'C:\\s.ps1 : bad thing');
    const b = simulateScript('PowerShell', ["Start-Sleep -Seconds 90; throw 'nope'"], 'C:\\s.ps1');
    assert.strictEqual(b.exitCode, 1);
    assert.strictEqual(b.sleepSeconds, 90);
    assert.strictEqual(b.output[0].text, 'nope');
    assert.strictEqual(simulateScript('PowerShell', ['Write-Error "x"'], 's').exitCode, 0);
    assert.strictEqual(simulateScript('Shell', ['exit'], 's').exitCode, 0);
  });

  it('splits on ; outside quotes', () => {
    assert.deepStrictEqual(splitCommands(`echo 'a;b'; echo "c;d" ;exit 0`), [`echo 'a;b'`, 'echo "c;d"', 'exit 0']);
  });

  it('formats lines as AIB and Packer print them', () => {
    const lines: string[] = [];
    const at = new Date(Date.UTC(2024, 10, 21, 8, 5, 9));
    const log = new PackerLog('11111111-2222-3333-4444-555555555555', (l) => lines.push(l), () => at);
    log.say('Provisioning with Powershell...');
    log.message('hello');
    log.startProvisioner('powershell');
    log.out('');
    assert.deepStrictEqual(lines, [
      '[11111111-2222-3333-4444-555555555555] PACKER OUT ==> azure-arm: Provisioning with Powershell...',
      '[11111111-2222-3333-4444-555555555555] PACKER OUT     azure-arm: hello',
      '[11111111-2222-3333-4444-555555555555] PACKER ERR 2024/11/21 08:05:09 [INFO] (telemetry) Starting provisioner powershell',
      '[11111111-2222-3333-4444-555555555555] PACKER OUT',
    ]);
    assert.strictEqual(goLogTime(at), '2024/11/21 08:05:09');
    assert.strictEqual(packerDuration(724_000), '12 minutes 4 seconds');
    assert.strictEqual(packerDuration(3_600_000), '1 hour');
  });

  it('container log: strictly increasing RFC3339Nano timestamps, tail, and no writes after the container stopped', () => {
    const log = new ContainerLog(new NanoClock());
    for (let i = 0; i < 50; i++) log.append(`line ${i}`);
    const stamped = log.render(undefined, true).trimEnd().split('\n').map((l) => l.split(' ')[0]);
    for (const ts of stamped) assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    for (let i = 1; i < stamped.length; i++) assert.ok(stamped[i] > stamped[i - 1], `${stamped[i]} after ${stamped[i - 1]}`);
    assert.strictEqual(log.render(2, false), 'line 48\nline 49\n');
    assert.strictEqual(log.render(0, false), '');
    log.close();
    log.append('late');
    assert.strictEqual(log.length, 50);
  });
});
