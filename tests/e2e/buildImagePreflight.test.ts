import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { RunResult } from '../../scripts/runner/runner';
import { GALLERY, IMAGE_LINUX, IMAGE_WIN, RG, UAI } from '../sim/domain/support';
import {
  AIB_PRINCIPAL,
  armDeployment,
  assignment,
  CONNECTION,
  inline,
  LINUX,
  rbacResources,
  resourceGroup,
  ROLES,
  runBuildImage,
  scenario,
  simulatorFor,
  storageAccount,
  SUBSCRIPTION,
  UBUNTU_SOURCE,
  userAssignedIdentity,
  warnings,
  WINDOWS_URN,
  writesSince,
} from './buildImageFixtures';

/**
 * BuildImage's identity and pre-flight through the runner against the simulator with RBAC enforced:
 * the task's own Image Builder identity (created with a custom role on the first run, reused
 * after), refusals before any write when the service connection lacks a right (each naming the
 * principal, the action, the scope and the fix), the warning when a given identity holds no rights
 * on a target (and the build then failing as Image Builder fails), template files' targets, and
 * provider registration.
 */
/** No managedIdentity: Image Builder runs as the task's own identity. */
const OWN_IDENTITY = {
  ...LINUX,
  managedIdentity: '',
  pollInterval: '100ms',
  ...inline('echo "preflight"'),
};
const OTHER_RG = `${SUBSCRIPTION}/resourceGroups/rg-identities`;
const OUT_RG = `${SUBSCRIPTION}/resourceGroups/rg-images-out`;
const OTHER_IDENTITIES = `${OTHER_RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`;
const OTHER_UAI = `${OTHER_IDENTITIES}/shared-aib`;
const STAGING_RG = `${SUBSCRIPTION}/resourceGroups/rg-staging`;
const READONLY_RG = `${SUBSCRIPTION}/resourceGroups/rg-readonly`;
const TEAM_ACCOUNT = storageAccount('teamart');
const OPERATED_UAI = `${OTHER_IDENTITIES}/operated-aib`;

/**
 * RBAC enforced, the AIB identity with a principal; the connection reads the subscription
 * (marketplace images are read there).
 */
const rbacWith = (...extra: unknown[]) =>
  scenario({
    rbac: true,
    resources: rbacResources(assignment(SUBSCRIPTION, ROLES.reader, CONNECTION.objectId), ...extra),
  });

/** task-lib escapes line breaks in the result message. */
const messageOf = (r: RunResult) => (r.message ?? '').replace(/%0A/g, '\n').replace(/%0D/g, '');
/** The identity the task made for Image Builder. */
const ownIdentity = (r: RunResult) =>
  r.state.resources.find(
    (x) =>
      x.type === 'Microsoft.ManagedIdentity/userAssignedIdentities' &&
      x.name.startsWith('gip-aib-'),
  );
/** The roles a principal was assigned at exactly `scope`. */
const rolesAt = (r: RunResult, principalId: string, scope: string) =>
  r.state.resources
    .filter(
      (x) =>
        x.type === 'Microsoft.Authorization/roleAssignments' &&
        x.properties.principalId === principalId &&
        x.properties.scope === scope,
    )
    .map((a) => a.properties.roleDefinitionId.split('/').pop());

describe('e2e: BuildImage identity and pre-flight (RBAC enforced)', function () {
  this.timeout(180_000);

  describe("the task's own identity, the connection Owner of the group", () => {
    const world = simulatorFor(
      rbacWith(
        resourceGroup(OUT_RG),
        resourceGroup(STAGING_RG),
        assignment(RG, ROLES.owner, CONNECTION.objectId),
        assignment(OUT_RG, ROLES.owner, CONNECTION.objectId),
        assignment(STAGING_RG, ROLES.owner, CONNECTION.objectId),
        TEAM_ACCOUNT,
        // The connection uploads with its own token.
        assignment(TEAM_ACCOUNT.id, ROLES.blobContributor, CONNECTION.objectId),
      ),
    );
    before(() => {
      artifactsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-preflight-artifacts-'));
      fs.writeFileSync(path.join(artifactsDir, 'install.sh'), 'echo install\n');
    });
    after(() => {
      fs.rmSync(artifactsDir, { recursive: true, force: true });
    });
    let artifactsDir: string;

    it(
      'creates the identity, its custom role and the assignment, and builds; the next build ' +
        'reuses them without writing any of them again',
      async () => {
        const r = await runBuildImage(world.sim, OWN_IDENTITY);
        assert.strictEqual(r.result, 'Succeeded', r.stdout);
        const identity = ownIdentity(r);
        assert.ok(identity, 'identity created');
        assert.strictEqual(identity.tags['gip.managedBy'], 'BuildImage');
        const role = r.state.resources.find(
          (x) => x.type === 'Microsoft.Authorization/roleDefinitions',
        );
        assert.ok(role, 'custom role created');
        assert.strictEqual(role.properties.roleName, `BuildImage Image Builder (${identity.name})`);
        assert.deepStrictEqual(role.properties.assignableScopes, [RG]);
        assert.ok(
          !role.properties.permissions[0].actions.some((a: string) => a.includes('*')),
          'no wildcard in the custom role',
        );
        assert.ok(
          role.properties.permissions[0].actions.includes(
            'Microsoft.Compute/galleries/images/versions/write',
          ),
        );
        const assigned = r.state.resources.filter(
          (x) =>
            x.type === 'Microsoft.Authorization/roleAssignments' &&
            x.properties.principalId === identity.properties.principalId,
        );
        assert.deepStrictEqual(
          assigned.map((a) => [a.properties.scope, a.properties.roleDefinitionId.split('/').pop()]),
          [[RG, role.name]],
        );
        assert.match(r.stdout, /Creating Image Builder identity gip-aib-[0-9a-f]{12} in rg-img/);
        assert.match(
          r.stdout,
          new RegExp(
            "Granted identity gip-aib-[0-9a-f]{12} 'BuildImage Image Builder " +
              '\\(gip-aib-[0-9a-f]{12}' +
              "\\)' on .*\\/resourceGroups\\/rg-img \\(",
          ),
        );
        const template = r.state.requests.find(
          (q) => q.method === 'PUT' && /\/imageTemplates\//.test(q.path),
        );
        assert.ok(template && template.status < 300);
        assert.match(r.outputs.imageVersionId ?? '', /\/images\/ubuntu\/versions\/1\.0\.0$/);

        const before = world.sim.state().requests.length;
        const again = await runBuildImage(world.sim, {
          ...OWN_IDENTITY,
          inlineScript: 'echo "second build"',
        });
        assert.strictEqual(again.result, 'Succeeded', again.stdout);
        assert.match(
          again.stdout,
          new RegExp(
            "Image Builder runs as the task's own identity gip-aib-[0-9a-f]{12} \\(principal " +
              '[0-9a-f-]{36}\\), which holds what this build needs',
          ),
        );
        const setup = writesSince(again.state, before).filter((q) =>
          /userAssignedIdentities|roleDefinitions|roleAssignments/i.test(q.path),
        );
        assert.deepStrictEqual(setup, [], 'no identity, role or assignment written again');
        assert.match(again.outputs.imageVersionId ?? '', /\/versions\/1\.0\.1$/);
      },
    );

    it(
      'a given staging group: the own identity is granted Contributor there (as Microsoft ' +
        'asks) and Image Builder builds in it',
      async () => {
        const r = await runBuildImage(world.sim, {
          ...OWN_IDENTITY,
          inlineScript: 'echo "staged"',
          stagingResourceGroup: 'rg-staging',
        });
        assert.strictEqual(r.result, 'Succeeded', r.stdout);
        assert.match(
          r.stdout,
          new RegExp(
            "Granted identity gip-aib-[0-9a-f]{12} 'Contributor' on \\/subscriptions\\/[^ " +
              ']+\\/resourceGroups\\/rg-staging \\(the staging resource group\\)',
          ),
        );
        const principal = ownIdentity(r)?.properties.principalId;
        assert.deepStrictEqual(rolesAt(r, principal, STAGING_RG), [ROLES.contributor]);
      },
    );

    it(
      'a given storageAccountName: the own identity is granted Storage Blob Data Reader on ' +
        'its artifacts container, and Image Builder downloads the archive',
      async () => {
        const r = await runBuildImage(world.sim, {
          ...OWN_IDENTITY,
          inlineScript: 'echo "given account"',
          packagePath: artifactsDir,
          storageAccountName: 'teamart',
        });
        assert.strictEqual(r.result, 'Succeeded', r.stdout);
        const container = `${TEAM_ACCOUNT.id}/blobServices/default/containers/buildimage-artifacts`;
        assert.match(
          r.stdout,
          new RegExp(
            `Granted identity gip-aib-[0-9a-f]{12} 'Storage Blob Data Reader' on ` +
              `${container} \\(the build artifacts on storage account teamart\\)`,
          ),
        );
        const principal = ownIdentity(r)?.properties.principalId;
        assert.deepStrictEqual(rolesAt(r, principal, container), [ROLES.blobReader]);
        assert.match(r.stdout, /Build artifacts unpacked to \/tmp\//);
      },
    );

    it('validate, target in another group: says what it would grant, writes nothing', async () => {
      const managed = `${OUT_RG}/providers/Microsoft.Compute/images/golden`;
      const before = world.sim.state().requests.length;
      const r = await runBuildImage(world.sim, {
        ...OWN_IDENTITY,
        managedImageId: managed,
        action: 'validate',
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(
        r.stdout,
        new RegExp(
          `update  custom role 'BuildImage Image Builder \\(gip-aib-[0-9a-f]{12}\\)' — ` +
            `lacks what this build needs\n\\s+adds assignable scope ` +
            `${OUT_RG}\n\\s+assignable at ${RG}, ${OUT_RG}\n`,
        ),
      );
      assert.match(
        r.stdout,
        new RegExp(
          `create  role 'BuildImage Image Builder \\(gip-aib-[0-9a-f]{12}\\)' for ` +
            `gip-aib-[0-9a-f]{12} on ${OUT_RG} — for distribution to managed image golden$`,
          'm',
        ),
      );
      assert.deepStrictEqual(writesSince(r.state, before), []);
    });
  });

  describe('refusals before any write', () => {
    const world = simulatorFor(
      rbacWith(
        resourceGroup(OTHER_RG),
        userAssignedIdentity(OTHER_UAI),
        // The connection may build, may not grant roles...
        assignment(RG, ROLES.contributor, CONNECTION.objectId),
        // ...sees the shared identities, may not assign them...
        assignment(OTHER_RG, ROLES.reader, CONNECTION.objectId),
        userAssignedIdentity(OPERATED_UAI),
        resourceGroup(READONLY_RG),
        // ...but this one.
        assignment(OPERATED_UAI, ROLES.identityOperator, CONNECTION.objectId),
        assignment(RG, ROLES.contributor, AIB_PRINCIPAL),
      ),
    );
    let templateDir: string;
    before(() => {
      templateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-preflight-'));
    });
    after(() => {
      fs.rmSync(templateDir, { recursive: true, force: true });
    });

    it(
      'no managedIdentity and a connection without roleAssignments/write: fails with the az ' +
        'commands that set the identity up, nothing written',
      async () => {
        const before = world.sim.state().requests.length;
        const r = await runBuildImage(world.sim, OWN_IDENTITY);
        assert.strictEqual(r.result, 'Failed', r.stdout);
        const m = messageOf(r);
        assert.match(
          m,
          new RegExp(
            "No managedIdentity is given, and the task can't set up its own Image Builder " +
              'identity gip-aib-[0-9a-f]{12}',
          ),
        );
        assert.match(
          m,
          new RegExp(
            `The service connection's principal \\(client id ${CONNECTION.clientId}, object ` +
              `id ${CONNECTION.objectId}\\) may not ` +
              `'Microsoft\\.Authorization/roleDefinitions/write' on ${RG} .*Grant it 'User ` +
              `Access Administrator'`,
          ),
        );
        assert.match(
          m,
          new RegExp(
            "may not 'Microsoft\\.Authorization\\/roleAssignments\\/write' on " +
              '\\/subscriptions\\/[^' +
              " ]+\\/resourceGroups\\/rg-img .*'Role Based Access Control Administrator'",
          ),
        );
        assert.match(
          m,
          new RegExp(
            'az identity create -g rg-img -n gip-aib-[0-9a-f]{12} -l westeurope --tags ' +
              'gip\\.managedB' +
              'y="BuildImage"',
          ),
        );
        assert.match(
          m,
          new RegExp(
            'az role definition create --role-definition \'\\{"Name":"BuildImage Image Builder ' +
              ('\\(gip-aib-[0-9a-f]{12}\\)","IsCustom":true,.*"AssignableScopes":\\["\\' +
                '/subscriptions\\/') +
              '[^"]+\\/resourceGroups\\/rg-img"\\]\\}\'',
          ),
        );
        assert.match(
          m,
          new RegExp(
            'az role assignment create --assignee-object-id \\$\\(az identity show --ids ' +
              '\\S+gip-aib-[0-9a-f]{12} --query principalId -o tsv\\) --assignee-principal-type ' +
              'ServicePrincipal --role "BuildImage Image Builder \\(gip-aib-[0-9a-f]{12}\\)" ' +
              '--scope \\S+\\/resourceGroups\\/rg-img',
          ),
        );
        assert.match(
          r.stdout,
          /##\[group\]Commands that set up the task's own Image Builder identity/,
        );
        assert.deepStrictEqual(writesSince(r.state, before), []);
      },
    );

    it(
      'a given identity the connection may not assign (no Managed Identity Operator): one ' +
        'message naming principal, action, scope and fix; nothing written',
      async () => {
        const before = world.sim.state().requests.length;
        const r = await runBuildImage(world.sim, { ...OWN_IDENTITY, managedIdentity: OTHER_UAI });
        assert.strictEqual(r.result, 'Failed', r.stdout);
        assert.strictEqual(
          messageOf(r),
          `The service connection's principal (client id ${CONNECTION.clientId}, object id ` +
            `${CONNECTION.objectId}) may not ` +
            `'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action' on ${OTHER_UAI} ` +
            (`(needed to assign Image Builder's identity to the template). Grant it 'Managed ` +
              `Identity Operator' (or a role with that action) there: `) +
            (`az role assignment create --assignee-object-id ${CONNECTION.objectId} ` +
              `--assignee-principal-type ServicePrincipal --role "Managed Identity Operator" ` +
              `--scope ${OTHER_UAI}`),
        );
        assert.deepStrictEqual(writesSince(r.state, before), []);
      },
    );

    it(
      'a template resource group where the connection only reads: the missing template ' +
        'actions in one message with the role that grants them',
      async () => {
        const before = world.sim.state().requests.length;
        const r = await runBuildImage(world.sim, {
          ...OWN_IDENTITY,
          resourceGroup: 'rg-readonly',
          managedIdentity: UAI,
        });
        assert.strictEqual(r.result, 'Failed', r.stdout);
        assert.strictEqual(
          messageOf(r),
          `The service connection's principal (client id ${CONNECTION.clientId}, object id ` +
            `${CONNECTION.objectId}) may not ` +
            `'Microsoft.VirtualMachineImages/imageTemplates/write', ` +
            (`'Microsoft.VirtualMachineImages/imageTemplates/run/action', ` +
              `'Microsoft.VirtualMachineImages/imageTemplates/delete' on ${READONLY_RG} `) +
            (`(needed to create and run the image template, delete the image template). Grant ` +
              `it 'Contributor' (or a role with those actions) there: `) +
            (`az role assignment create --assignee-object-id ${CONNECTION.objectId} ` +
              `--assignee-principal-type ServicePrincipal --role "Contributor" --scope ` +
              `${READONLY_RG}`),
        );
        assert.deepStrictEqual(writesSince(r.state, before), []);
      },
    );

    it(
      'local files to upload and a connection without blob data write: refused naming the ' +
        'data action and Storage Blob Data Contributor; nothing written',
      async () => {
        fs.writeFileSync(path.join(templateDir, 'setup.sh'), 'echo setup\n');
        fs.writeFileSync(
          path.join(templateDir, 'steps.json'),
          JSON.stringify([{ type: 'Shell', name: 'setup', scriptUri: 'setup.sh' }]),
        );
        const before = world.sim.state().requests.length;
        const r = await runBuildImage(
          world.sim,
          {
            ...OWN_IDENTITY,
            scriptSource: 'none',
            inlineScript: '',
            customizersFile: 'steps.json',
            managedIdentity: UAI,
          },
          { workdir: templateDir },
        );
        assert.strictEqual(r.result, 'Failed', r.stdout);
        assert.match(
          messageOf(r),
          new RegExp(
            `The service connection's principal \\(client id ${CONNECTION.clientId}, object ` +
              `id ${CONNECTION.objectId}\\) may not ` +
              `'Microsoft\\.Storage/storageAccounts/blobServices/containers/blobs/write' on ` +
              `${RG} \\(needed to upload the build artifacts\\)\\. Grant it 'Storage Blob Data ` +
              `Contributor'`,
          ),
        );
        assert.deepStrictEqual(writesSince(r.state, before), []);
      },
    );

    it(
      'Managed Identity Operator on a given identity is what assigning it takes (a VHD build ' +
        'needs no rights of the identity)',
      async () => {
        const r = await runBuildImage(world.sim, {
          ...OWN_IDENTITY,
          galleryImageDefinitionId: '',
          vhd: 'true',
          managedIdentity: OPERATED_UAI,
        });
        assert.strictEqual(r.result, 'Succeeded', r.stdout);
        assert.match(r.outputs.vhdUri ?? '', /\.vhd$/);
      },
    );

    it(
      'a template file whose distribute targets a definition of the other OS fails ' +
        'pre-flight, naming the property',
      async () => {
        fs.writeFileSync(
          path.join(templateDir, 'wrong-os.json'),
          JSON.stringify({
            type: 'Microsoft.VirtualMachineImages/imageTemplates',
            apiVersion: '2022-02-14',
            location: 'westeurope',
            identity: { type: 'UserAssigned', userAssignedIdentities: { [UAI]: {} } },
            properties: {
              source: UBUNTU_SOURCE,
              customize: [{ type: 'Shell', name: 'hello', inline: ['echo hello'] }],
              distribute: [
                {
                  type: 'SharedImage',
                  galleryImageId: IMAGE_WIN,
                  runOutputName: 'sig',
                  replicationRegions: ['westeurope'],
                },
              ],
            },
          }),
        );
        const before = world.sim.state().requests.length;
        const r = await runBuildImage(
          world.sim,
          { location: 'westeurope', resourceGroup: 'rg-img', templateFile: 'wrong-os.json' },
          { workdir: templateDir },
        );
        assert.strictEqual(r.result, 'Failed', r.stdout);
        assert.match(
          messageOf(r),
          new RegExp(
            "^Input 'templateFile': properties\\.distribute\\[0\\]\\.galleryImageId: the " +
              ("image definition 'win11' is for Windows, but the source " +
                'Canonical:0001-com-ubuntu-serv') +
              'er-jammy:22_04-lts-gen2:\\S+ is Linux',
          ),
        );
        assert.deepStrictEqual(writesSince(r.state, before), []);
      },
    );
  });

  describe("Image Builder's identity without rights on a target", () => {
    const world = simulatorFor(
      rbacWith(
        assignment(RG, ROLES.owner, CONNECTION.objectId),
        assignment(GALLERY, ROLES.reader, AIB_PRINCIPAL),
        // Image Builder's identity writes versions of the Windows definition only.
        assignment(IMAGE_WIN, ROLES.contributor, AIB_PRINCIPAL),
      ),
    );

    it(
      'warns before the build, naming principal, action, scope and fix; the build then fails ' +
        'where Image Builder fails',
      async () => {
        const r = await runBuildImage(world.sim, {
          ...OWN_IDENTITY,
          managedIdentity: 'aib-identity',
        });
        const warning = warnings(r).find((w) => w.includes('galleries/images/versions/write'));
        assert.ok(warning, r.stdout);
        assert.match(
          warning,
          new RegExp(
            `Image Builder's identity aib-identity \\(principal ${AIB_PRINCIPAL}\\) holds no ` +
              `role assignment that allows ` +
              `.*'Microsoft\\.Compute/galleries/images/versions/write' on ${IMAGE_LINUX} ` +
              `\\(distribution to image definition ubuntu\\); the build fails there unless a ` +
              `group it belongs to grants it`,
          ),
        );
        assert.match(
          warning,
          new RegExp(
            `az role assignment create --assignee-object-id ${AIB_PRINCIPAL} ` +
              `--assignee-principal-type ServicePrincipal --role "Contributor" --scope ` +
              `${IMAGE_LINUX}`,
          ),
        );
        assert.strictEqual(r.result, 'Failed', r.stdout);
        assert.match(
          r.message ?? '',
          /Not authorized to access the resource: .*\/images\/ubuntu\/versions\//,
        );
      },
    );

    it('no warning where its role assignment covers the target; the build succeeds', async () => {
      const r = await runBuildImage(world.sim, {
        ...OWN_IDENTITY,
        managedIdentity: 'aib-identity',
        sourceImage: WINDOWS_URN,
        galleryImageDefinitionId: IMAGE_WIN,
        inlineScript: 'Write-Host hi',
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.ok(!warnings(r).some((w) => w.startsWith("Image Builder's identity")), r.stdout);
    });
  });

  describe("a template file's identity and targets", () => {
    const world = simulatorFor(
      rbacWith(
        assignment(RG, ROLES.owner, CONNECTION.objectId),
        assignment(RG, ROLES.contributor, AIB_PRINCIPAL),
      ),
    );
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-preflight-file-'));
      const identity =
        "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', " +
        "parameters('identityName'))]";
      fs.writeFileSync(
        path.join(dir, 'linux.json'),
        JSON.stringify(
          armDeployment(
            { identityName: { type: 'string' } },
            {
              type: 'Microsoft.VirtualMachineImages/imageTemplates',
              apiVersion: '2024-02-01',
              name: 'ubuntu-golden',
              location: 'westeurope',
              identity: { type: 'UserAssigned', userAssignedIdentities: { [identity]: {} } },
              properties: {
                source: UBUNTU_SOURCE,
                customize: [{ type: 'Shell', name: 'hello', inline: ['echo hello from the file'] }],
                distribute: [
                  {
                    type: 'SharedImage',
                    galleryImageId: IMAGE_LINUX,
                    runOutputName: 'ubuntuSig',
                    targetRegions: [{ name: 'westeurope', replicaCount: 1 }],
                  },
                ],
              },
            },
          ),
        ),
      );
    });
    after(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it(
      "runs as the file's identity when managedIdentity is empty; a rerun of the job finds " +
        "the version by the file's distribute target",
      async () => {
        const inputs = {
          location: 'westeurope',
          resourceGroup: 'rg-img',
          pollInterval: '100ms',
          templateFile: 'linux.json',
          templateParameters: 'identityName=aib-identity',
        };
        const r = await runBuildImage(world.sim, inputs, { workdir: dir });
        assert.strictEqual(r.result, 'Succeeded', r.stdout);
        assert.match(
          r.stdout,
          new RegExp(
            `Image Builder runs as identity aib-identity \\(principal ${AIB_PRINCIPAL}\\), ` +
              `from the templateFile input's identity`,
          ),
        );
        assert.ok(
          !r.state.resources.some((x) => x.name?.startsWith('gip-aib-')),
          "no identity of the task's own",
        );
        const version = r.state.resources.find(
          (x) =>
            x.type === 'Microsoft.Compute/galleries/images/versions' &&
            x.tags?.['gip.template'] === r.outputs.templateName,
        );
        assert.ok(version, 'the version carries the template name');

        const before = world.sim.state().requests.length;
        const again = await runBuildImage(world.sim, inputs, { workdir: dir });
        assert.strictEqual(again.result, 'Succeeded', again.stdout);
        assert.match(
          again.stdout,
          new RegExp(
            `This job's build already succeeded: ${version.id.replace(/[/.]/g, '\\$&')}\\. ` +
              `Nothing is built again\\.`,
          ),
        );
        assert.strictEqual(again.outputs.runOutputNames, 'ubuntuSig');
        assert.deepStrictEqual(writesSince(again.state, before), []);
      },
    );
  });

  describe('resource providers', () => {
    const world = simulatorFor({
      ...rbacWith(
        assignment(SUBSCRIPTION, ROLES.owner, CONNECTION.objectId),
        assignment(RG, ROLES.contributor, AIB_PRINCIPAL),
      ),
      providers: { 'Microsoft.VirtualMachineImages': 'NotRegistered' },
    });

    it(
      'an unregistered provider fails with the command that registers it; registerProviders: ' +
        'true registers it and goes on',
      async () => {
        const inputs = { ...OWN_IDENTITY, managedIdentity: 'aib-identity', action: 'validate' };
        const r = await runBuildImage(world.sim, inputs);
        assert.strictEqual(r.result, 'Failed', r.stdout);
        assert.match(
          r.message ?? '',
          new RegExp(
            'Microsoft\\.VirtualMachineImages \\(NotRegistered\\)\\. Register them once: ' +
              'az provider register --namespace Microsoft\\.VirtualMachineImages',
          ),
        );
        const ok = await runBuildImage(world.sim, { ...inputs, registerProviders: 'true' });
        assert.strictEqual(ok.result, 'Succeeded', ok.stdout);
        assert.match(ok.stdout, /Registering resource provider Microsoft\.VirtualMachineImages/);
      },
    );
  });
});
