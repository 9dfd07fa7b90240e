// The build VM's instance metadata endpoint and blob downloads from inside it, through a build's
// customisers (RBAC enforced): tokens only for the identities of vmProfile.userAssignedIdentities,
// the blob read checked against the token principal's data actions, the checksum verified on the
// downloaded bytes; and the simulator's journal of runs (state().builds), which outlives the
// template.
import * as assert from 'assert';
import { BlobSASPermissions } from '@azure/storage-blob';
import { createHash, randomBytes } from 'crypto';
import { RunningSim, startSimulator } from '../index';
import { SIM_IDS } from '../sim';
import { baseResources, blobService, clients, RG, SUB, UAI, windowsTemplate } from './support';

const ACCOUNT = `${RG}/providers/Microsoft.Storage/storageAccounts/vmartifacts`;
const CONTAINER = `${ACCOUNT}/blobServices/default/containers/drop`;
const READER_VM = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/vm-reader`;
const OTHER_VM = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/vm-other`;
const ids = {
  aib: {
    principalId: '0a000000-0000-4000-8000-000000000001',
    clientId: '0a000000-0000-4000-8000-0000000000c1',
  },
  reader: {
    principalId: '0a000000-0000-4000-8000-000000000002',
    clientId: '0a000000-0000-4000-8000-0000000000c2',
  },
  other: {
    principalId: '0a000000-0000-4000-8000-000000000003',
    clientId: '0a000000-0000-4000-8000-0000000000c3',
  },
};
const ROLE = (guid: string) =>
  `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const assignment = (scope: string, n: number, role: string, principalId: string) => ({
  id:
    `${scope}/providers/Microsoft.Authorization/roleAssignments/0000000` +
    `${n}-0000-4000-8000-000000000000`,
  type: 'Microsoft.Authorization/roleAssignments',
  properties: { roleDefinitionId: ROLE(role), principalId },
});
const PAYLOAD = randomBytes(4096);
const SHA = createHash('sha256').update(PAYLOAD).digest('hex');

describe('simulator: the build VM (IMDS, blob downloads, journal)', function () {
  this.timeout(60_000);
  let sim: RunningSim;
  let blobUrl: string;

  before(async () => {
    sim = await startSimulator({
      scenario: {
        timeScale: 0.001,
        rbac: true,
        resources: [
          ...baseResources().map((r) => (r.id === UAI ? { ...r, properties: ids.aib } : r)),
          {
            id: READER_VM,
            type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
            location: 'westeurope',
            properties: ids.reader,
          },
          {
            id: OTHER_VM,
            type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
            location: 'westeurope',
            properties: ids.other,
          },
          {
            id: ACCOUNT,
            type: 'Microsoft.Storage/storageAccounts',
            location: 'westeurope',
            kind: 'StorageV2',
            sku: { name: 'Standard_LRS' },
          },
          assignment(
            `/subscriptions/${SUB}`,
            1,
            '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
            SIM_IDS.sp.objectId,
          ), // the test's client: Owner
          // AIB: Contributor, no blob data role
          assignment(RG, 2, 'b24988ac-6180-42a0-ab88-20f7382dd24c', ids.aib.principalId),
          // Storage Blob Data Reader
          assignment(CONTAINER, 3, '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1', ids.reader.principalId),
        ],
      },
    });
    const cc = (await blobService(sim, ACCOUNT)).getContainerClient('drop');
    await cc.createIfNotExists();
    await cc.getBlockBlobClient('a.zip').uploadData(PAYLOAD);
    blobUrl = cc.getBlobClient('a.zip').url;
  });
  after(async () => sim?.stop());

  const imds = (clientId?: string) =>
    `http://169.254.169.254/metadata/identity/oauth2` +
    `/token?api-version=2018-02-01&resource=https://storage.azure.com/` +
    `${clientId ? `&client_id=${clientId}` : ''}`;
  const windowsDownload = (clientId?: string, sha = SHA) => [
    "$ErrorActionPreference = 'Stop'",
    `$token = (Invoke-RestMethod -UseBasicParsing -Headers @{ Metadata = 'true' } -Uri ` +
      `'${imds(clientId)}').access_token`,
    `Invoke-WebRequest -UseBasicParsing -Headers @{ Authorization = "Bearer $token"; ` +
      `'x-ms-version' = '2023-11-03' } -Uri '${blobUrl}' -OutFile 'C:\\BuildArtifacts\\a.zip'`,
    `if ((Get-FileHash -Algorithm SHA256 -LiteralPath 'C:\\BuildArtifacts\\a.zip').Hash ` +
      `-ne '${sha.toUpperCase()}') { throw 'checksum mismatch' }`,
    "Write-Host 'downloaded with the VM identity'",
  ];
  const build = async (name: string, inline: string[], vmIdentities: string[]) => {
    const { aib } = clients(sim);
    await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
      'rg-img',
      name,
      windowsTemplate([{ type: 'PowerShell', name: 'fetch', inline }], {
        vmProfile: { vmSize: 'Standard_D4s_v5', userAssignedIdentities: vmIdentities },
        distribute: [{ type: 'VHD', runOutputName: 'vhd' }],
      }),
    );
    const run = await aib.virtualMachineImageTemplates
      .beginRunAndWait('rg-img', name, { updateIntervalInMs: 10 })
      .then(
        () => undefined,
        (e: Error) => e,
      );
    const record = sim
      .state()
      .builds.find((b) => b.templateId.endsWith(`/imageTemplates/${name}`))!;
    return { error: run?.message, log: record.log.join('\n'), runState: record.runState };
  };

  it(
    'an identity of vmProfile with a blob data role downloads the blob; the checksum is ' +
      'checked on its bytes',
    async () => {
      const ok = await build('vm-reads', windowsDownload(ids.reader.clientId), [
        READER_VM,
        OTHER_VM,
      ]);
      assert.strictEqual(ok.runState, 'Succeeded', ok.log);
      assert.match(ok.log, /azure-arm: downloaded with the VM identity/);
      const bad = await build('vm-bad-sum', windowsDownload(ids.reader.clientId, 'a'.repeat(64)), [
        READER_VM,
      ]);
      assert.strictEqual(bad.runState, 'Failed');
      assert.match(bad.log, /azure-arm: checksum mismatch/);
    },
  );

  it("AIB's own identity is not on the build VM: IMDS answers Identity not found", async () => {
    const r = await build('aib-id', windowsDownload(ids.aib.clientId), [READER_VM]);
    assert.strictEqual(r.runState, 'Failed');
    assert.match(
      r.log,
      /Invoke-RestMethod : \{"error":"invalid_request","error_description":"Identity not found"\}/,
    );
    assert.match(r.error ?? '', /Packer build command has failed/);
  });

  it('without client_id: the only identity answers; with two, IMDS asks which', async () => {
    assert.strictEqual(
      (await build('only-one', windowsDownload(), [READER_VM])).runState,
      'Succeeded',
    );
    const two = await build('two', windowsDownload(), [READER_VM, OTHER_VM]);
    assert.match(two.log, /Multiple user assigned identities exist/);
  });

  it(
    'an identity without a blob data role is refused by the data plane ' +
      '(AuthorizationPermissionMismatch)',
    async () => {
      const r = await build('no-role', windowsDownload(ids.other.clientId), [READER_VM, OTHER_VM]);
      assert.strictEqual(r.runState, 'Failed');
      assert.match(
        r.log,
        new RegExp(
          'Invoke-WebRequest : <\\?xml version="1\\.0" ' +
            'encoding="utf-8"\\?><Error><Code>Authorization' +
            'PermissionMismatch<\\/Code>',
        ),
      );
    },
  );

  it(
    'a SAS URL goes to Azurite, which checks it: a valid one downloads, a tampered one is ' +
      'refused',
    async () => {
      const blob = (await blobService(sim, ACCOUNT))
        .getContainerClient('drop')
        .getBlobClient('a.zip');
      const sas = await blob.generateSasUrl({
        permissions: BlobSASPermissions.parse('r'),
        expiresOn: new Date(Date.now() + 3_600_000),
      });
      const fetch = (url: string) => [
        "$ErrorActionPreference = 'Stop'",
        `Invoke-WebRequest -UseBasicParsing -Uri '${url}' -OutFile 'C:\\a.zip'`,
        `if ((Get-FileHash -LiteralPath 'C:\\a.zip').Hash -ne '${SHA}') { throw 'checksum ` +
          `mismatch' }`,
        "Write-Host 'downloaded with a SAS'",
      ];
      const ok = await build('sas-ok', fetch(sas), []);
      assert.strictEqual(ok.runState, 'Succeeded', ok.log);
      const tampered = await build('sas-bad', fetch(sas.replace(/sig=[^&]+/, 'sig=AAAA')), []);
      assert.strictEqual(tampered.runState, 'Failed');
      assert.match(
        tampered.log,
        /Invoke-WebRequest : <\?xml .*<Code>(AuthorizationFailure|AuthenticationFailed)<\/Code>/,
      );
    },
  );

  it('Linux: curl to IMDS, the token via sed, curl -f with the bearer, sha256sum -c', async () => {
    const { aib } = clients(sim);
    const inline = [
      'set -e',
      `IMDS=$(curl -fsS --noproxy '*' -H 'Metadata: true' '${imds(ids.reader.clientId)}')`,
      `TOKEN=$(printf '%s' "$IMDS" | sed -n 's/.*"access_token": *"\\([^"]*\\)".*/\\1/p')`,
      `curl -fsS --retry 5 -H "Authorization: Bearer $TOKEN" -H 'x-ms-version: 2023-11-03' ` +
        `-o /tmp/a.zip '${blobUrl}'`,
      `printf '%s  %s\\n' '${SHA}' /tmp/a.zip | sha256sum -c --quiet -`,
      'echo "verified"',
    ];
    await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait('rg-img', 'linux-vm', {
      ...windowsTemplate([{ type: 'Shell', name: 'fetch', inline }], {
        vmProfile: { userAssignedIdentities: [READER_VM] },
        distribute: [{ type: 'VHD', runOutputName: 'vhd' }],
      }),
      source: {
        type: 'PlatformImage',
        publisher: 'Canonical',
        offer: '0001-com-ubuntu-server-jammy',
        sku: '22_04-lts-gen2',
        version: 'latest',
      },
    });
    await aib.virtualMachineImageTemplates.beginRunAndWait('rg-img', 'linux-vm', {
      updateIntervalInMs: 10,
    });
    const record = sim
      .state()
      .builds.find((b) => b.templateId.endsWith('/imageTemplates/linux-vm'))!;
    assert.strictEqual(record.runState, 'Succeeded');
    assert.match(record.log.join('\n'), /azure-arm: verified/);
  });

  it("the journal keeps a run's log after its template is deleted", async () => {
    const { aib } = clients(sim);
    await aib.virtualMachineImageTemplates.beginDeleteAndWait('rg-img', 'linux-vm', {
      updateIntervalInMs: 10,
    });
    const state = sim.state();
    assert.ok(!state.resources.some((r) => r.id.endsWith('/imageTemplates/linux-vm')));
    const record = state.builds.find((b) => b.templateId.endsWith('/imageTemplates/linux-vm'))!;
    assert.match(record.log.join('\n'), /PACKER Done exporting Packer logs/);
  });
});
