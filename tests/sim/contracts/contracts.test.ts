import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { catalog, groupsFor, specificationDir } from './catalog';
import { findOperation, validateBody } from './index';

const SUB = '00000000-0000-0000-0000-000000000001';
const RG = `/subscriptions/${SUB}/resourceGroups/rg1`;

function example(namespace: string, file: string): any {
  for (const g of groupsFor(namespace)) {
    const dir = path.join(g.dir, 'examples');
    const found = fs.existsSync(dir)
      ? (fs.readdirSync(dir, { recursive: true }) as string[]).find(
          (f) => path.basename(f) === file,
        )
      : undefined;
    if (found) return JSON.parse(fs.readFileSync(path.join(dir, found), 'utf8')).parameters;
  }
  throw new Error(`example ${file} not found for ${namespace}`);
}

function rejected(r: ReturnType<typeof validateBody>): {
  code: string;
  message: string;
  target: string;
} {
  assert.strictEqual(r.ok, false, 'expected the body to be rejected');
  return r;
}

// Official examples that are invalid against their own operation. Each is asserted to fail exactly
// so; a fixed example or a new failure both break the test.
const KNOWN_INVALID_EXAMPLES: Record<string, { why: string; target: string }> = {
  'Microsoft.DesktopVirtualization/AppAttachPackage_Update.json': {
    why:
      "body keyed 'appAttachPackage' (the parameter is 'appAttachPackagePatch') and its " +
      "members lack the 'properties' wrapper of AppAttachPackagePatch",
    target: 'image',
  },
};
// Examples whose body sits under a name other than the operation's body parameter, but validates.
const MISNAMED_BODY: Record<string, string> = {
  'Microsoft.DesktopVirtualization/ScalingPlan_Update.json': 'workspace',
  'Microsoft.DesktopVirtualization/AppAttachPackage_Update.json': 'appAttachPackage',
};

describe('contracts: official examples', () => {
  it('accepts every PUT/PATCH/POST example body of the held specs', () => {
    const started = Date.now();
    const checked: Record<string, number> = {};
    const failures: Record<string, { code: string; message: string; target: string }> = {};
    for (const groups of catalog().values()) {
      for (const group of groups) {
        for (const file of group.files) {
          const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
          const paths = { ...(doc.paths ?? {}), ...(doc['x-ms-paths'] ?? {}) };
          for (const [template, item] of Object.entries<any>(paths)) {
            for (const method of ['put', 'patch', 'post']) {
              const op = item[method];
              for (const ref of Object.values<any>(op?.['x-ms-examples'] ?? {})) {
                const exFile = path.resolve(path.dirname(file), ref.$ref);
                // Only the examples saved in contracts/ (see SOURCES.txt).
                if (!fs.existsSync(exFile)) continue;
                const params = JSON.parse(fs.readFileSync(exFile, 'utf8')).parameters;
                const concrete = template
                  .replace(/\?.*$/, '')
                  .replace(/\{([^}]+)\}/g, (_, n: string) => {
                    assert.ok(
                      params[n] !== undefined,
                      `${exFile}: no value for path parameter ${n}`,
                    );
                    return String(params[n]);
                  });
                const info = findOperation(method, concrete);
                assert.ok(info, `${exFile}: no operation found for ${method} ${concrete}`);
                assert.strictEqual(
                  info.operationId,
                  op.operationId,
                  `${exFile}: routed to the wrong operation`,
                );
                if (!info.body) continue; // POST without a body (run, cancel, register...)
                const key = `${group.namespace}/${path.basename(exFile)}`;
                const bodyName =
                  params[info.body.name] !== undefined ? info.body.name : MISNAMED_BODY[key];
                assert.ok(bodyName, `${exFile}: no body under '${info.body.name}'`);
                const r = validateBody(method, concrete, params[bodyName]);
                checked[group.namespace] = (checked[group.namespace] ?? 0) + 1;
                if (!r.ok) failures[key] = r;
              }
            }
          }
        }
      }
    }
    const total = Object.values(checked).reduce((a, b) => a + b, 0);
    console.log(`      examples checked: ${total} in ${Date.now() - started} ms`);
    for (const [ns, n] of Object.entries(checked).sort()) console.log(`        ${ns}: ${n}`);
    for (const [key, { why }] of Object.entries(KNOWN_INVALID_EXAMPLES))
      console.log(`        known invalid: ${key}: ${why}`);

    assert.deepStrictEqual(
      Object.keys(failures).sort(),
      Object.keys(KNOWN_INVALID_EXAMPLES).sort(),
      JSON.stringify(failures, null, 2),
    );
    for (const [key, exp] of Object.entries(KNOWN_INVALID_EXAMPLES))
      assert.strictEqual(failures[key].target, exp.target);
    // The providers the tasks use must all have been exercised.
    for (const ns of [
      'Microsoft.VirtualMachineImages',
      'Microsoft.Compute',
      'Microsoft.Authorization',
      'Microsoft.Resources',
      'Microsoft.ManagedIdentity',
      'Microsoft.DesktopVirtualization',
      'Microsoft.DevCenter',
    ]) {
      assert.ok((checked[ns] ?? 0) > 0, `no example checked for ${ns}`);
    }
  });
});

interface ProviderCase {
  namespace: string;
  method: string;
  path: string;
  body: () => any;
  /** A member the spec requires, as [parent path..., name]. */
  required: string[];
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

const PROVIDERS: ProviderCase[] = [
  {
    namespace: 'Microsoft.VirtualMachineImages',
    method: 'PUT',
    path: `${RG}/providers/Microsoft.VirtualMachineImages/imageTemplates/t1`,
    body: () =>
      example('Microsoft.VirtualMachineImages', 'CreateImageTemplateLinux.json').parameters,
    required: ['properties', 'source'],
  },
  {
    namespace: 'Microsoft.Compute',
    method: 'PUT',
    path: `${RG}/providers/Microsoft.Compute/galleries/g1/images/def1/versions/1.0.0`,
    body: () => example('Microsoft.Compute', 'GalleryImageVersion_Create.json').galleryImageVersion,
    required: ['location'],
  },
  {
    namespace: 'Microsoft.Compute',
    method: 'PUT',
    path: `${RG}/providers/Microsoft.Compute/virtualMachines/vm1`,
    body: () => ({
      location: 'westeurope',
      properties: {
        hardwareProfile: { vmSize: 'Standard_D2s_v5' },
        storageProfile: {
          imageReference: {
            id: `${RG}/providers/Microsoft.Compute/galleries/g1/images/def1/versions/1.0.0`,
          },
        },
        osProfile: {
          computerName: 'vm1',
          adminUsername: 'azureuser',
          adminPassword: 'P@ssw0rd1234!',
        },
        networkProfile: {
          networkInterfaces: [{ id: `${RG}/providers/Microsoft.Network/networkInterfaces/nic1` }],
        },
      },
    }),
    required: ['location'],
  },
  {
    namespace: 'Microsoft.DesktopVirtualization',
    method: 'PUT',
    path: `${RG}/providers/Microsoft.DesktopVirtualization/hostPools/hp1`,
    body: () => example('Microsoft.DesktopVirtualization', 'HostPool_Create.json').hostPool,
    required: ['properties', 'hostPoolType'],
  },
  {
    namespace: 'Microsoft.DevCenter',
    method: 'PUT',
    path: `${RG}/providers/Microsoft.DevCenter/devcenters/dc1/galleries/g1`,
    body: () => example('Microsoft.DevCenter', 'Galleries_Create.json').body,
    required: ['properties', 'galleryResourceId'],
  },
  {
    namespace: 'Microsoft.Authorization',
    method: 'PUT',
    path:
      `${RG}/providers/Microsoft.Authorization/roleAssignments` +
      `/05c5a614-a7d6-4502-b150-c2fb455033ff`,
    body: () =>
      example('Microsoft.Authorization', 'RoleAssignments_CreateForResourceGroup.json').parameters,
    required: ['properties', 'roleDefinitionId'],
  },
  {
    namespace: 'Microsoft.ManagedIdentity',
    method: 'PUT',
    path: `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`,
    body: () => example('Microsoft.ManagedIdentity', 'IdentityCreate.json').parameters,
    required: ['location'],
  },
  {
    namespace: 'Microsoft.Resources',
    method: 'PUT',
    path: `/subscriptions/${SUB}/resourcegroups/rg2`,
    body: () => example('Microsoft.Resources', 'CreateResourceGroup.json').parameters,
    required: ['location'],
  },
  {
    namespace: 'Microsoft.Storage',
    method: 'PUT',
    path: `${RG}/providers/Microsoft.Storage/storageAccounts/st1`,
    body: () => ({
      sku: { name: 'Standard_LRS' },
      kind: 'StorageV2',
      location: 'westeurope',
      properties: { allowSharedKeyAccess: false },
    }),
    required: ['sku'],
  },
  {
    namespace: 'Microsoft.ContainerInstance',
    method: 'PUT',
    path: `${RG}/providers/Microsoft.ContainerInstance/containerGroups/cg1`,
    body: () => ({
      location: 'westeurope',
      properties: {
        osType: 'Linux',
        containers: [
          {
            name: 'packer',
            properties: {
              image: 'mcr.microsoft.com/azure-cli',
              resources: { requests: { cpu: 1, memoryInGB: 1.5 } },
            },
          },
        ],
      },
    }),
    required: ['properties', 'containers'],
  },
];

function at(obj: any, parents: string[]): any {
  return parents.reduce((o, k) => o[k], obj);
}

describe('contracts: rejections, per provider', () => {
  for (const c of PROVIDERS) {
    describe(`${c.namespace} ${c.path.split('/providers/').pop() ?? c.path}`, () => {
      it('accepts the base body', () => {
        const r = validateBody(c.method, c.path, c.body());
        assert.ok(r.ok, JSON.stringify(r));
        assert.strictEqual(r.operation.namespace.toLowerCase(), c.namespace.toLowerCase());
      });

      it('rejects an unknown member at the top and inside properties, naming its path', () => {
        const top = c.body();
        top.unknownMember = 1;
        assert.strictEqual(rejected(validateBody(c.method, c.path, top)).target, 'unknownMember');
        const nested = c.body();
        if (nested.properties) {
          nested.properties.fooBar = 'x';
          const e = rejected(validateBody(c.method, c.path, nested));
          assert.strictEqual(e.target, 'properties.fooBar');
          assert.ok(e.message.includes('fooBar'), e.message);
        }
      });

      it('rejects a member spelt with the wrong case', () => {
        const b = c.body();
        const holder = b.properties ?? b;
        const name = Object.keys(holder).find((k) => /^[a-z]/.test(k))!;
        const wrong = name.charAt(0).toUpperCase() + name.slice(1);
        holder[wrong] = holder[name];
        delete holder[name];
        const e = rejected(validateBody(c.method, c.path, b));
        assert.strictEqual(e.target, b.properties ? `properties.${wrong}` : wrong);
      });

      it('rejects a body missing a required member', () => {
        const b = c.body();
        const parents = c.required.slice(0, -1);
        const name = c.required[c.required.length - 1];
        assert.ok(at(b, parents)[name] !== undefined, 'the base body should hold the member');
        delete at(b, parents)[name];
        const e = rejected(validateBody(c.method, c.path, b));
        assert.strictEqual(e.target, c.required.join('.'));
        assert.ok(e.message.includes(name), e.message);
      });
    });
  }
});

describe('contracts: image builder, as users get it wrong', () => {
  const p = `${RG}/providers/Microsoft.VirtualMachineImages/imageTemplates/t1`;
  const base = (): any =>
    clone({
      location: 'westeurope',
      identity: {
        type: 'UserAssigned',
        userAssignedIdentities: {
          [`${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib`]: {},
        },
      },
      properties: {
        source: {
          type: 'PlatformImage',
          publisher: 'MicrosoftWindowsDesktop',
          offer: 'windows-11',
          sku: 'win11-24h2-avd',
          version: 'latest',
        },
        customize: [
          { type: 'PowerShell', name: 'install', inline: ['Write-Host hi'], runElevated: true },
        ],
        distribute: [
          {
            type: 'ManagedImage',
            imageId: `${RG}/providers/Microsoft.Compute/images/img`,
            location: 'westeurope',
            runOutputName: 'img',
          },
        ],
      },
    });

  it('accepts a template written by the book', () => {
    assert.ok(validateBody('PUT', p, base()).ok);
  });

  it(
    "rejects `runElevatedd` in a PowerShell customiser with AIB's unmarshalling message and " +
      'the path',
    () => {
      const b = base();
      b.properties.customize[0].runElevatedd = true;
      const e = rejected(validateBody('PUT', p, b));
      assert.strictEqual(e.code, 'InvalidRequestContent');
      assert.strictEqual(e.target, 'properties.customize[0].runElevatedd');
      assert.ok(
        e.message.startsWith(
          'Unmarshalling entity encountered error: unmarshalling type ' +
            '*v2024_02_01.ImageTemplate: struct field Properties:',
        ),
        e.message,
      );
      assert.ok(
        e.message.includes(
          'unmarshalling type *v2024_02_01.ImageTemplatePowerShellCustomizer, unknown field ' +
            '"runElevatedd"',
        ),
        e.message,
      );
      assert.ok(e.message.includes("'properties.customize[0].runElevatedd'"), e.message);
      assert.ok(e.message.endsWith('visit http://aka.ms/azvmimagebuildertmplref.'), e.message);
    },
  );

  it('words `vmboot` exactly as the AIB release notes show it', () => {
    const b = base();
    b.properties.optimize = { vmboot: { state: 'Enabled' } };
    const e = rejected(validateBody('PUT', p, b));
    assert.ok(
      e.message.startsWith(
        'Unmarshalling entity encountered error: unmarshalling type ' +
          '*v2024_02_01.ImageTemplate: struct field Properties: unmarshalling type ' +
          ('*v2024_02_01.ImageTemplateProperties: struct field Optimize: unmarshalling type ' +
            '*v2024_02_01.ImageTemplatePropertiesOptimize: ') +
          'unmarshalling type *v2024_02_01.ImageTemplatePropertiesOptimize, unknown field "vmboot"',
      ),
      e.message,
    );
    b.properties.optimize = { vmBoot: { state: 'Enabled' } };
    assert.ok(validateBody('PUT', p, b).ok);
  });

  it(
    'rejects wrong-case members and values (Customize, imageVersionID, type "powershell", ' +
      'identity type "userassigned")',
    () => {
      const b1 = base();
      b1.properties.Customize = b1.properties.customize;
      delete b1.properties.customize;
      assert.strictEqual(rejected(validateBody('PUT', p, b1)).target, 'properties.Customize');

      const b2 = base();
      b2.properties.source = {
        type: 'SharedImageVersion',
        imageVersionID: `${RG}/providers/Microsoft.Compute/galleries/g/images/d/versions/1.0.0`,
      };
      assert.strictEqual(
        rejected(validateBody('PUT', p, b2)).target,
        'properties.source.imageVersionID',
      );

      const b3 = base();
      b3.properties.customize[0].type = 'powershell';
      const e3 = rejected(validateBody('PUT', p, b3));
      assert.strictEqual(e3.code, 'ValidationFailed');
      assert.strictEqual(e3.target, 'properties.customize[0].type');
      assert.ok(
        e3.message.startsWith(
          "Validation failed: 'ImageTemplate.properties.customize[0]': Field 'type' has a " +
            "bad value: 'powershell'",
        ),
        e3.message,
      );

      const b4 = base();
      b4.identity.type = 'userassigned';
      assert.strictEqual(rejected(validateBody('PUT', p, b4)).target, 'identity.type');
    },
  );

  it(
    "rejects the corpus's legacy and misspelt keys: Shell `script`, `aritfactTags`, `tags` " +
      'on a SharedImage distributor',
    () => {
      const b1 = base();
      b1.properties.customize = [
        { type: 'Shell', name: 'legacy', script: 'https://example.com/x.sh' },
      ];
      assert.strictEqual(
        rejected(validateBody('PUT', p, b1)).target,
        'properties.customize[0].script',
      );

      const b2 = base();
      b2.properties.distribute[0].aritfactTags = { a: 'b' };
      assert.strictEqual(
        rejected(validateBody('PUT', p, b2)).target,
        'properties.distribute[0].aritfactTags',
      );

      const b3 = base();
      b3.properties.distribute = [
        {
          type: 'SharedImage',
          galleryImageId: `${RG}/providers/Microsoft.Compute/galleries/g/images/d`,
          runOutputName: 'sig',
          replicationRegions: ['westeurope'],
          tags: {},
        },
      ];
      assert.strictEqual(
        rejected(validateBody('PUT', p, b3)).target,
        'properties.distribute[0].tags',
      );
    },
  );

  it("rejects a missing required member with AIB's ValidationFailed wording", () => {
    const b = base();
    delete b.properties.distribute[0].runOutputName;
    const e = rejected(validateBody('PUT', p, b));
    assert.strictEqual(e.code, 'ValidationFailed');
    assert.strictEqual(e.target, 'properties.distribute[0].runOutputName');
    assert.strictEqual(
      e.message,
      "Validation failed: 'ImageTemplate.properties.distribute[0]': Missing field " +
        "'runOutputName'. Please review http://aka.ms/azvmimagebuildertmplref for details on " +
        'fields required in the Image Builder Template.',
    );
  });

  it('rejects wrong types, out-of-range values and broken patterns', () => {
    const b1 = base();
    b1.properties.buildTimeoutInMinutes = '60';
    const e1 = rejected(validateBody('PUT', p, b1));
    assert.strictEqual(e1.target, 'properties.buildTimeoutInMinutes');
    assert.ok(
      e1.message.includes(
        'cannot unmarshal string into Go struct field ' +
          'ImageTemplateProperties.properties.buildTimeoutInMinutes of type int32',
      ),
      e1.message,
    );

    const b2 = base();
    b2.properties.buildTimeoutInMinutes = 961;
    assert.strictEqual(
      rejected(validateBody('PUT', p, b2)).target,
      'properties.buildTimeoutInMinutes',
    );

    const b3 = base();
    b3.properties.distribute[0].runOutputName = ''; // the botched sed substitution of the corpus
    assert.strictEqual(
      rejected(validateBody('PUT', p, b3)).target,
      'properties.distribute[0].runOutputName',
    );

    const b4 = base();
    b4.properties.customize = { type: 'Shell' };
    assert.strictEqual(rejected(validateBody('PUT', p, b4)).target, 'properties.customize');
  });

  it(
    'ignores read-only members sent back from a GET (id, name, type, provisioningState, ' +
      'lastRunStatus)',
    () => {
      const b = base();
      Object.assign(b, {
        id: `${RG}/providers/Microsoft.VirtualMachineImages/imageTemplates/t1`,
        name: 't1',
        type: 'Microsoft.VirtualMachineImages/imageTemplates',
      });
      Object.assign(b.properties, {
        provisioningState: 'Succeeded',
        lastRunStatus: { runState: 'Running', whatever: 1 },
        exactStagingResourceGroup: '/x',
      });
      assert.ok(validateBody('PUT', p, b).ok);
    },
  );

  it('accepts any string for an extensible enum and null for an optional member', () => {
    const b = base();
    b.properties.vmProfile = { vmSize: 'Standard_D4s_v5', osDiskSizeGB: 0, vnetConfig: null };
    b.properties.distribute[0].artifactTags = null;
    assert.ok(validateBody('PUT', p, b).ok);
  });

  it('needs a body for PUT', () => {
    assert.strictEqual(rejected(validateBody('PUT', p, undefined)).code, 'InvalidRequestContent');
  });
});

describe('contracts: .NET providers answer in Newtonsoft words', () => {
  it('names the member and the type for an unknown member', () => {
    const b = example(
      'Microsoft.Authorization',
      'RoleAssignments_CreateForResourceGroup.json',
    ).parameters;
    b.properties.principalTYPE = 'User';
    const e = rejected(
      validateBody(
        'PUT',
        `${RG}/providers/Microsoft.Authorization/roleAssignments` +
          `/05c5a614-a7d6-4502-b150-c2fb455033ff`,
        b,
      ),
    );
    assert.strictEqual(e.code, 'InvalidRequestContent');
    assert.strictEqual(
      e.message,
      "The request content was invalid and could not be deserialized: 'Could not find " +
        "member 'principalTYPE' on object of type 'RoleAssignmentProperties'. Path " +
        "'properties.principalTYPE'.'",
    );
  });

  it('answers CRP wording for a missing required member of a gallery image version', () => {
    const b = clone(
      example('Microsoft.Compute', 'GalleryImageVersion_Create.json').galleryImageVersion,
    );
    delete b.properties.storageProfile;
    const e = rejected(
      validateBody(
        'PUT',
        `${RG}/providers/Microsoft.Compute/galleries/g1/images/def1/versions/1.0.0`,
        b,
      ),
    );
    assert.deepStrictEqual(
      [e.code, e.message, e.target],
      [
        'InvalidParameter',
        "Required parameter 'storageProfile' is missing (null).",
        'properties.storageProfile',
      ],
    );
  });

  it('rejects a value outside a closed enum, but takes it in any case as .NET enums do', () => {
    const url = `${RG}/providers/Microsoft.Compute/galleries/g1/images/def1`;
    const b = clone(example('Microsoft.Compute', 'GalleryImage_Create.json').galleryImage);
    b.properties.osState = 'Generalised';
    const e = rejected(validateBody('PUT', url, b));
    assert.deepStrictEqual(
      [e.code, e.message, e.target],
      [
        'InvalidRequestContent',
        "The request content was invalid and could not be deserialized: 'Error converting " +
          'value "Generalised" to type \'OperatingSystemStateTypes\'. Path ' +
          "'properties.osState'.'",
        'properties.osState',
      ],
    );
    b.properties.osState = 'generalized';
    assert.ok(validateBody('PUT', url, b).ok);
  });
});

describe('contracts: findOperation', () => {
  const it1 = `${RG}/providers/Microsoft.VirtualMachineImages/imageTemplates/t1`;

  it('matches literal segments case-insensitively, ignores the query and collapses `//`', () => {
    const info = findOperation(
      'put',
      `/${RG.toLowerCase()}/PROVIDERS/microsoft.virtualmachineimages/IMAGETEMPLATES` +
        `/t1?api-version=2025-10-01`,
    );
    assert.ok(info);
    assert.strictEqual(info.operationId, 'VirtualMachineImageTemplates_CreateOrUpdate');
    assert.strictEqual(info.apiVersion, '2024-02-01');
    assert.deepStrictEqual(info.pathParameters, {
      subscriptionId: SUB,
      resourceGroupName: 'rg1',
      imageTemplateName: 't1',
    });
  });

  it('gives the long-running behaviour and status codes the spec lists', () => {
    const put = findOperation('PUT', it1)!;
    assert.deepStrictEqual(
      [put.longRunning, put.finalStateVia, put.successStatusCodes],
      [true, 'azure-async-operation', [200, 201]],
    );
    const del = findOperation('DELETE', it1)!;
    assert.deepStrictEqual(
      [del.longRunning, del.finalStateVia, del.successStatusCodes],
      [true, 'location', [202, 204]],
    );
    const run = findOperation('POST', `${it1}/run`)!;
    assert.deepStrictEqual(
      [run.operationId, run.successStatusCodes, run.body],
      ['VirtualMachineImageTemplates_Run', [200, 202, 204], undefined],
    );
    const list = findOperation(
      'GET',
      `${RG}/providers/Microsoft.VirtualMachineImages/imageTemplates`,
    )!;
    assert.deepStrictEqual(list.pageable, { nextLinkName: 'nextLink', itemName: 'value' });
    const version = findOperation(
      'PUT',
      `${RG}/providers/Microsoft.Compute/galleries/g/images/d/versions/1.2.3`,
    )!;
    assert.deepStrictEqual(
      [version.operationId, version.longRunning, version.successStatusCodes],
      ['GalleryImageVersions_CreateOrUpdate', true, [200, 201, 202]],
    );
  });

  it('routes provider registration, scoped role assignments and permissions', () => {
    assert.strictEqual(
      findOperation(
        'POST',
        `/subscriptions/${SUB}/providers/Microsoft.VirtualMachineImages/register`,
      )?.operationId,
      'Providers_Register',
    );
    const ra = findOperation(
      'PUT',
      `${it1}/providers/Microsoft.Authorization/roleAssignments` +
        `/05c5a614-a7d6-4502-b150-c2fb455033ff`,
    )!;
    assert.strictEqual(ra.operationId, 'RoleAssignments_Create');
    assert.strictEqual(
      ra.pathParameters.scope,
      `subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.VirtualMachineImages` +
        `/imageTemplates/t1`,
    );
    assert.strictEqual(
      findOperation('GET', `${RG}/providers/Microsoft.Authorization/permissions`)?.operationId,
      'Permissions_ListForResourceGroup',
    );
    assert.strictEqual(
      findOperation(
        'GET',
        `/subscriptions/${SUB}/resourcegroups/rg1/providers/Microsoft.Authorization` +
          `/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
      )?.operationId,
      'RoleDefinitions_Get',
    );
  });

  it('finds nothing for a type no held spec describes, and says so on validation', () => {
    // Key Vault: no spec under contracts/ (Network, DiskRP and the AVD preview are held now).
    const p = `${RG}/providers/Microsoft.KeyVault/vaults/kv1`;
    assert.strictEqual(findOperation('PUT', p), undefined);
    const r = validateBody('PUT', p, { location: 'x' });
    assert.strictEqual(r.ok === false && r.code, 'NoContract');
  });
});

describe('contracts: speed', () => {
  it('loads a provider well under 300 ms, validates warm in microseconds (fresh process)', () => {
    const cases = PROVIDERS.map((pc) => ({
      ns: pc.namespace,
      method: pc.method,
      path: pc.path,
      body: pc.body(),
    }));
    const script = `
      const c = require(${JSON.stringify(path.join(__dirname, 'index.js'))});
      const cases = ${JSON.stringify(cases)};
      const out = [];
      for (const k of cases) {
        let t = process.hrtime.bigint();
        const r = c.validateBody(k.method, k.path, k.body);
        const first = Number(process.hrtime.bigint() - t) / 1e6;
        t = process.hrtime.bigint();
        for (let i = 0; i < 200; i++) c.validateBody(k.method, k.path, k.body);
        const warm = Number(process.hrtime.bigint() - t) / 200 / 1e3;
        out.push({ ns: k.ns, path: k.path.split('/providers/').pop(), ok: r.ok, first, warm });
      }
      console.log(JSON.stringify(out));`;
    const results: Array<{ ns: string; path: string; ok: boolean; first: number; warm: number }> =
      JSON.parse(
        execFileSync(process.execPath, ['-e', script], {
          encoding: 'utf8',
          env: { ...process.env, AZURE_SPECS_DIR: path.dirname(path.dirname(specificationDir())) },
        }),
      );
    for (const r of results) {
      console.log(
        `        ${r.ns} ${r.path}: first ${r.first.toFixed(1)} ms, warm ${r.warm.toFixed(1)} µs`,
      );
      assert.ok(r.ok);
      assert.ok(r.first < 300, `${r.ns}: first validation took ${r.first} ms`);
    }
  });
});
