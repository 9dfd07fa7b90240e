import * as assert from 'assert';
import {
  FileContext,
  loadTemplate,
} from '../../../../../tasks/common/imagebuilder/template/templateFile/loadTemplate';

describe('templateFile: secure parameters', () => {
  const ctx = (parameters: FileContext['parameters']): FileContext => ({
    subscriptionId: 'sub1',
    resourceGroup: 'rg1',
    location: 'westeurope',
    parameters,
    identityGiven: true,
  });

  it('lists the values given to secureString and secureObject parameters (4+ characters)', () => {
    const t = loadTemplate(
      {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        parameters: {
          token: { type: 'securestring' },
          creds: { type: 'secureObject' },
          plain: { type: 'string' },
          unset: { type: 'secureString', defaultValue: '' },
        },
        resources: [
          {
            type: 'Microsoft.VirtualMachineImages/imageTemplates',
            properties: {
              source: { type: 'PlatformImage', publisher: 'p', offer: 'o', sku: 's' },
              customize: [
                { type: 'Shell', name: 'x', inline: ["[concat('login ', parameters('token'))]"] },
              ],
              distribute: [
                {
                  type: 'VHD',
                  runOutputName: "[parameters('plain')]",
                },
              ],
            },
          },
        ],
      },
      ctx({ Token: 's3cret', creds: { user: 'imgadmin', pin: '42', pw: 'p4ss' }, plain: 'out' }),
    );
    assert.deepStrictEqual(t.secrets, ['s3cret', 'imgadmin', 'p4ss']);
  });
});
