// Azure VM Image Builder templates (imagebuilder 2024-02-01): create (LRO, a second PUT answers
// AIB's Conflict), get, list, patch, delete (LRO via Location; removes the staging resource group
// AIB made, or only the contents of a given one), `run` and `cancel` (POST, LRO via
// Azure-AsyncOperation), runOutputs. The build itself is aibBuild.ts.
import { randomUUID } from 'crypto';
import { ArmError, armErrors } from '../arm/errors';
import type { ArmRequest, ResourceTypeDef, SimServices } from '../arm/framework';
import { buildResource, clone, startOperation } from '../arm/helpers';
import type { LroStyle, OperationHandle } from '../arm/operations';
import { sameId } from '../arm/paths';
import type { StoredResource } from '../arm/store';
import { subscriptionOf } from '../arm/subscriptions';
import { abortReason } from '../core/clock';
import {
  Build,
  buildOf,
  ensureStagingGroup,
  removeStaging,
  RUN_OUTPUT_TYPE,
  stagingGroupIdOf,
  TEMPLATE_TYPE,
} from './aibBuild';
import { IMAGE_TYPE } from './computeImages';
import { ensureStagingAccount } from './stagingStorage';

const ASYNC: LroStyle = {
  header: 'Azure-AsyncOperation',
  asyncSegment: 'operations',
  retryAfterSeconds: 15,
};

const TMPL_REF =
  'Please review  http://aka.ms/azvmimagebuildertmplref  for details on fields ' +
  'requirements in the Image Builder Template.';

function validationFailed(path: string, detail: string): ArmError {
  return new ArmError(
    400,
    'ValidationFailed',
    `Validation failed: 'ImageTemplate.properties.${path}': ${detail}. ${TMPL_REF}`,
  );
}

/**
 * Submission checks AIB makes before accepting a template (answered synchronously as
 * ValidationFailed).
 */
function validateTemplate(req: ArmRequest): void {
  const p = req.body?.properties ?? {};
  const src = p.source ?? {};
  if (src.type === 'ManagedImage') {
    const img = req.sim.store.get(String(src.imageId ?? ''));
    if (!img || !sameId(img.type, IMAGE_TYPE))
      throw validationFailed('source', `Field 'imageId' has a bad value: '${src.imageId}'`);
  }
  const checkScripts = (list: any[], path: string): void =>
    list.forEach((c: any, i: number) => {
      const at = `${path}[${i}]`;
      if (c.type === 'Shell' || c.type === 'PowerShell') {
        const hasUri = typeof c.scriptUri === 'string' && c.scriptUri !== '';
        const hasInline = Array.isArray(c.inline) && c.inline.length > 0;
        if (hasUri === hasInline)
          throw validationFailed(
            at,
            "Exactly one of the fields 'scriptUri' or 'inline' must be specified",
          );
        if (c.runAsSystem === true && c.runElevated !== true)
          throw validationFailed(
            at,
            "Field 'runAsSystem' can only be true when 'runElevated' is true",
          );
      }
      if (c.type === 'File' && (!c.sourceUri || !c.destination))
        throw validationFailed(at, "Fields 'sourceUri' and 'destination' must be specified");
    });
  checkScripts(p.customize ?? [], 'customize');
  checkScripts(p.validate?.inVMValidations ?? [], 'validate.inVMValidations');
  if (!Array.isArray(p.distribute) || p.distribute.length === 0)
    throw validationFailed('distribute', 'At least one distribution target must be specified');
  const names = new Set<string>();
  for (const d of p.distribute) {
    const n = String(d.runOutputName ?? '').toLowerCase();
    if (names.has(n))
      throw validationFailed(
        'distribute',
        `Field 'runOutputName' has a duplicate value: '${d.runOutputName}'`,
      );
    names.add(n);
  }
  if (p.validate?.sourceValidationOnly === true && (p.customize ?? []).length > 0) {
    throw validationFailed(
      'validate',
      "Field 'sourceValidationOnly' cannot be true when customizers are specified",
    );
  }
}

function stagingName(rg: string, name: string): string {
  return `IT_${rg}_${name}_${randomUUID()}`;
}

function badStaging(message: string): ArmError {
  return new ArmError(400, 'BadStagingResourceGroup', message);
}

/** The PUT's asynchronous part: AIB prepares the staging resource group and its storage account. */
async function provisionTemplate(
  op: OperationHandle,
  t: StoredResource,
  sim: SimServices,
): Promise<void> {
  await op.clock.sleep(30_000, op.signal);
  const stagingId = stagingGroupIdOf(t);
  const given = t.properties.stagingResourceGroup;
  const existing = sim.store.get(stagingId);
  if (given && existing) {
    if (existing.location && existing.location !== t.location) {
      fail(
        t,
        badStaging(
          `The staging resource group '${given}' must be in the same region ` +
            `('${t.location}') as the image template, but is in '${existing.location}'.`,
        ),
      );
    }
    // Role assignments are extension resources, not resources of the group: the Contributor
    // assignment Image Builder's identity needs there does not make it non-empty.
    if (
      sim.store.list({ under: stagingId }).some((r) => !/^Microsoft\.Authorization\//i.test(r.type))
    ) {
      fail(
        t,
        badStaging(
          `The staging resource group '${given}' is not empty. If the resource group ` +
            `specified exists, it must be empty and in the same region as the image template.`,
        ),
      );
    }
  }
  const tags = {
    createdBy: 'AzureVMImageBuilder',
    imageTemplateName: t.name,
    imageTemplateResourceGroupName: t.id.split('/')[4],
    ...(t.properties.managedResourceTags ?? {}),
  };
  ensureStagingGroup(sim, stagingId, t.location!, tags);
  await ensureStagingAccount(sim, stagingId, t.location!, tags);
}

function fail(t: StoredResource, e: ArmError): never {
  t.properties.provisioningError = { provisioningErrorCode: e.code, message: e.message };
  throw e;
}

const templateDef: ResourceTypeDef = {
  type: TEMPLATE_TYPE,
  apiVersions: ['2024-02-01', '2023-07-01', '2022-07-01', '2022-02-14'],
  lro: {
    put: { ...ASYNC, status: 201 },
    patch: { ...ASYNC, durationMs: 10_000 },
    delete: {
      header: 'Location',
      status: 202,
      locationSegment: 'operations',
      retryAfterSeconds: 15,
      durationMs: 60_000,
    },
  },
  beforePut(req, existing) {
    if (existing) {
      throw new ArmError(
        409,
        'Conflict',
        'Update/Upgrade of image templates is currently not supported. Please change the ' +
          'name of the template you are submitting. If you have previously tried to submit a ' +
          'template and it failed to provision, you must delete it first and then resubmit. ' +
          'For more information, go to https://aka.ms/azvmimagebuilderts.',
      );
    }
    validateTemplate(req);
  },
  build(req, existing) {
    const doc = buildResource(req, templateDef, existing);
    const given = doc.properties.stagingResourceGroup;
    doc.properties.exactStagingResourceGroup =
      given ||
      `/subscriptions/${req.subscriptionId}/resourceGroups/` +
        `${stagingName(req.resourceGroup!, doc.name)}`;
    return doc;
  },
  provision: provisionTemplate,
  seed(r, sim) {
    r.properties = r.properties ?? {};
    r.properties.exactStagingResourceGroup ??=
      r.properties.stagingResourceGroup ||
      `/subscriptions/${subscriptionOf(r.id) ?? sim.info.subscriptionId}/resourceGroups/` +
        `${stagingName(r.id.split('/')[4], r.name)}`;
    return r;
  },
  view(r) {
    return clone(r);
  },
  beforeDelete(req, r) {
    const build = buildOf(req.sim, r.id);
    if (build?.running) build.cancel();
  },
  onDeleted(r, sim) {
    buildOf(sim, r.id)?.cancel();
    removeStaging(sim, r);
  },
  actions: {
    run: {
      run(req, t) {
        if (t.properties?.provisioningState !== 'Succeeded') {
          throw new ArmError(
            409,
            'Conflict',
            `The image template '${t.name}' cannot be run: its provisioningState is ` +
              `'${t.properties?.provisioningState}'.`,
          );
        }
        if (buildOf(req.sim, t.id)?.running) {
          throw new ArmError(
            409,
            'Conflict',
            `The image template '${t.name}' is already running. Wait for the current run ` +
              `to finish or cancel it before starting another run.`,
          );
        }
        const build = new Build(req.sim, t);
        build.begin();
        const { result, operation } = startOperation(req, {
          kind: 'action',
          resource: t,
          style: { ...ASYNC, status: 202 },
          status: 202,
          run: (op) => build.execute(op.signal),
        });
        build.operation = operation;
        return result;
      },
    },
    cancel: {
      run(req, t) {
        const build = buildOf(req.sim, t.id);
        if (!build?.running) {
          throw new ArmError(
            409,
            'Conflict',
            `There is no build of image template '${t.name}' in progress to cancel.`,
          );
        }
        build.cancel();
        return startOperation(req, {
          kind: 'action',
          resource: t,
          style: { ...ASYNC, status: 202 },
          status: 202,
          run: async (op) => {
            await Promise.race([
              build.done,
              new Promise((_, reject) =>
                op.signal.addEventListener('abort', () => reject(abortReason(op.signal)), {
                  once: true,
                }),
              ),
            ]);
          },
        }).result;
      },
    },
  },
};

const runOutputDef: ResourceTypeDef = {
  type: RUN_OUTPUT_TYPE,
  patch: false,
  provisioningState: false,
  beforePut() {
    throw armErrors.methodNotAllowed('PUT');
  },
  beforeDelete() {
    throw armErrors.methodNotAllowed('DELETE');
  },
};

export function imageTemplateTypes(): ResourceTypeDef[] {
  return [templateDef, runOutputDef];
}
