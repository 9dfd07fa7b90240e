import * as assert from 'assert';
import { aibNeeds, customRoleScopes } from '../../../../tasks/common/imagebuilder/access/aibNeeds';
import { outline, rg } from '../support';

const DEF = `${rg('rg-gal')}/providers/Microsoft.Compute/galleries/gal/images/win11`;

describe("imagebuilder: what Image Builder's identity needs", () => {
  it(
    'reads what Image Builder needs from the template: source, gallery and managed image ' +
      'targets, vnet, build VM identities, staging group',
    () => {
      const source =
        `${rg('rg-src')}/providers/Microsoft.Compute/galleries/base/images/ws` + `/versions/1.0.0`;
      const subnet =
        `${rg('rg-net')}/providers/Microsoft.Network/virtualNetworks/vnet/subnets` + `/build`;
      const vmIdentity =
        `${rg('rg-ids')}/providers/Microsoft.ManagedIdentity` + `/userAssignedIdentities/build-vm`;
      const needs = aibNeeds(
        outline({
          source: { type: 'SharedImageVersion', imageVersionId: source },
          distribute: [
            { type: 'SharedImage', runOutputName: 'a', galleryImageId: `${DEF}/versions/2.0.0` },
            {
              type: 'SharedImage',
              runOutputName: 'b',
              galleryImageId: DEF.replace('win11', 'win10'),
            },
            {
              type: 'ManagedImage',
              runOutputName: 'c',
              imageId: `${rg('rg')}/providers/Microsoft.Compute/images/golden`,
            },
            { type: 'VHD', runOutputName: 'd' },
          ],
          vmProfile: { vnetConfig: { subnetId: subnet }, userAssignedIdentities: [vmIdentity] },
          stagingResourceGroup: rg('rg-staging'),
        }),
      );
      const gallery = DEF.replace(/\/images\/win11$/, '');
      assert.deepStrictEqual(
        needs.map((n) => [n.scope, n.grant.role, n.grant.scope]),
        [
          [source.replace(/\/images\/.*$/, ''), 'custom', rg('rg-src')],
          [source, 'custom', rg('rg-src')],
          [gallery, 'custom', rg('rg-gal')],
          [DEF, 'custom', rg('rg-gal')],
          [DEF.replace('win11', 'win10'), 'custom', rg('rg-gal')],
          [rg('rg'), 'custom', rg('rg')],
          [subnet.replace(/\/subnets\/build$/, ''), 'custom', rg('rg-net')],
          [subnet, 'custom', rg('rg-net')],
          [vmIdentity, 'Managed Identity Operator', vmIdentity],
          [rg('rg-staging'), 'Contributor', rg('rg-staging')],
        ],
      );
      assert.deepStrictEqual(needs[3].actions, [
        'Microsoft.Compute/galleries/images/read',
        'Microsoft.Compute/galleries/images/versions/read',
        'Microsoft.Compute/galleries/images/versions/write',
      ]);
      assert.deepStrictEqual(needs[5].actions, [
        'Microsoft.Compute/images/write',
        'Microsoft.Compute/images/read',
        'Microsoft.Compute/images/delete',
      ]);
      assert.deepStrictEqual(customRoleScopes(needs), [
        rg('rg-src'),
        rg('rg-gal'),
        rg('rg'),
        rg('rg-net'),
      ]);
      assert.deepStrictEqual(
        aibNeeds(outline({ distribute: [{ type: 'VHD', runOutputName: 'v' }] })),
        [],
        'a VHD and a marketplace source need nothing of the identity',
      );
    },
  );
});
