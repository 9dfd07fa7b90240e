import * as assert from 'assert';
import { aibNeeds } from '../../../../tasks/common/imagebuilder/access/aibNeeds';
import { identityGapMessage } from '../../../../tasks/common/imagebuilder/access/preflight';
import { outline, rg, UAI } from '../support';

const DEF = `${rg('rg-gal')}/providers/Microsoft.Compute/galleries/gal/images/win11`;

describe('imagebuilder: pre-flight: the gaps of the identity', () => {
  it("a gap of Image Builder's identity names the action, the scope, the role and its fix", () => {
    const gallery = DEF.replace(/\/images\/win11$/, '');
    const [galleryNeed] = aibNeeds(
      outline({ distribute: [{ type: 'SharedImage', runOutputName: 'a', galleryImageId: DEF }] }),
    );
    assert.strictEqual(
      identityGapMessage(
        { id: UAI, principalId: 'p1' },
        ['Microsoft.Compute/galleries/read'],
        galleryNeed,
      ),
      `Image Builder's identity aib (principal p1) holds no role assignment that allows ` +
        `'Microsoft.Compute/galleries/read' on ${gallery} (the target gallery); ` +
        (`the build fails there unless a group it belongs to grants it. Grant it 'Reader' ` +
          `(or a custom role with that action): `) +
        (`az role assignment create --assignee-object-id p1 --assignee-principal-type ` +
          `ServicePrincipal --role "Reader" --scope ${gallery}`),
    );
  });
});
