/**
 * AttachGalleryToDevCenter's core: make a Compute gallery's images usable by Microsoft Dev Box,
 * checked before and after. Everything is read and checked first (the image requirements, the
 * identity, the roles, the attachment, the definition, whether the connection may do it), the plan
 * printed; `action: check` stops there and writes nothing, `action: attach` then writes only what
 * is missing and waits for Dev Box's image validation.
 */
import { errorMessage } from '../core/errors';
import { TaskOutcome } from '../core/outcome';
import { PlanItem, renderPlan } from '../core/plan';
import { attachGallery, attachmentId, AttachPlan, planAttach } from './attach';
import { DevBoxRun, DevBoxRunOptions } from './context';
import {
  applyDefinition,
  DefinitionPlan,
  planDefinition,
  readDefinition,
  undoDefinition,
  Validation,
  waitForValidation,
} from './definition';
import {
  checkSku,
  listAttachedGalleries,
  ProjectPools,
  readDevCenter,
  readProjectPools,
  requiredRegions,
} from './devCenterState';
import { readGallery, readImages } from './galleryImages';
import { addIdentity, chooseIdentity, DevCenterIdentity } from './identity';
import { devBoxImageId, DevCenter } from './model';
import { buildOutcome, failedOutcome, poolsUsing } from './outcome';
import { problemLines, RequirementReport, checkImages } from './requirements/report';
import { grantRoles, readRoleNeeds, RoleNeed, roleRefusals, windows365Principal } from './roles';
import { connectionRefusals } from './writeAccess';

export type AttachOptions = DevBoxRunOptions;

/**
 * Result: a TaskOutcome whose outputs are galleryAttachmentId, devBoxDefinitionId,
 * imageValidationStatus and imageReference (those that apply), with the requirement table and
 * the plan in its summary.
 */
export async function attachGalleryToDevCenter(o: AttachOptions): Promise<TaskOutcome> {
  const run = new DevBoxRun(o);
  const { params, log } = run;
  log.info(
    'Microsoft Dev Box takes no new customers since 1 November 2025 and retires on 18 September ' +
      '2028 (Windows 365 is its successor); this task serves existing dev centers fully.',
  );

  log.group('Read the dev center, the gallery and its images');
  const dc = await readDevCenter(run);
  await readGallery(run);
  if (params.definition) await checkSku(run, params.definition.sku, dc.location);
  const attachments = await listAttachedGalleries(run);
  const attach = planAttach(run, attachments);
  const projects = await readProjectPools(run);
  const regions = await requiredRegions(run, dc, projects);
  const images = await readImages(run);
  log.endGroup();

  const report = checkImages(images, {
    regions,
    hibernate: params.definition?.hibernateSupport === 'Enabled',
  });
  try {
    return await decideAndWrite(run, { dc, attach, projects, report });
  } catch (err) {
    if (run.signal.aborted) throw err;
    // The requirement table belongs on the summary page of a failed run too.
    return failedOutcome(run, report, err);
  }
}

interface ReadState {
  dc: DevCenter;
  attach: AttachPlan;
  projects: ProjectPools[];
  report: RequirementReport;
}

async function decideAndWrite(run: DevBoxRun, s: ReadState): Promise<TaskOutcome> {
  const { params, log } = run;
  const { dc, attach, projects, report } = s;
  log.group(`Dev Box image requirements: ${report.rows.length} image(s)`);
  for (const row of report.rows)
    log.info(
      `${row.image}${row.version ? ` ${row.version}` : ''}: ` +
        (row.qualifies ? 'meets the requirements' : 'does not meet the requirements'),
    );
  const image = judge(run, report);
  log.endGroup();

  log.group('Identity, roles, attachment and dev box definition');
  const identity = await chooseIdentity(run, dc);
  const check = params.action === 'check';
  const w365 = await windows365Principal(run, check);
  const roles = await readRoleNeeds(run, [
    {
      who: `the dev center's ${identity.label}`,
      principalId: identity.principalId,
      role: 'Contributor',
    },
    ...(w365 ? [{ who: 'Windows 365', principalId: w365, role: 'Reader' as const }] : []),
  ]);
  const definition =
    params.definition && image
      ? planDefinition(
          run,
          params.definition,
          devBoxImageId(run.devCenterId, {
            gallery: attach.name,
            definition: image,
            version: params.imageVersion,
          }),
          await readDefinition(run, params.definition.name),
        )
      : undefined;
  log.endGroup();

  const items = planItems(run, { identity, roles, attach, definition });
  const reportBase = { report, items, attach, definition, projects, check };
  log.info(
    renderPlan(
      check ? 'Would do (check: nothing is changed)' : 'Plan (nothing is changed yet)',
      items,
    ),
  );
  const missing = roles.filter((r) => !r.heldAt);
  const problems = [
    ...(await roleRefusals(run, missing)),
    ...(await connectionRefusals(run, { identity, attach, definition })),
  ];
  if (check) {
    // A pull-request check says too whether the connection could carry the plan out.
    if (problems.length) run.warn(`action: attach would stop here: ${problems.join(' ')}`);
    return buildOutcome(run, reportBase);
  }
  if (problems.length) throw new Error(problems.join('\n'));

  const validation = await write(run, { dc, identity, missing, attach, definition });
  if (definition) {
    const pools = poolsUsing(projects, params.definition!.name);
    log.info(
      pools.length
        ? `New dev boxes of pool(s) ${pools.join(', ')} get this image.`
        : 'No pool uses the dev box definition yet.',
    );
  }
  return buildOutcome(run, { ...reportBase, validation });
}

/**
 * The image to use: the named one, else the only one that qualifies. Logs each failing and warning
 * rule; throws (before any write) when the named image, or every image, breaks a required rule and
 * onRequirementFailure is fail.
 */
function judge(run: DevBoxRun, report: RequirementReport): string | undefined {
  const { params } = run;
  const warnOnly = params.onRequirementFailure === 'warn';
  for (const row of report.rows) {
    for (const line of problemLines(row, 'warn')) run.warn(line);
    // With no image named, an image that fails is reported, not fatal: another may serve.
    const fatal = !!params.image && !warnOnly;
    for (const line of problemLines(row, 'fail')) {
      if (fatal) run.log.error(line);
      else run.warn(line);
    }
  }
  const qualifying = report.rows.filter((r) => r.qualifies).map((r) => r.image);
  if (params.image) {
    const row = report.rows[0];
    if (!row.qualifies && !warnOnly) {
      throw new Error(
        `Image '${row.image}' does not meet Dev Box's requirements (nothing was changed): ` +
          problemLines(row, 'fail').join(' · '),
      );
    }
    return row.image;
  }
  if (qualifying.length === 0 && report.rows.length > 0 && !warnOnly) {
    throw new Error(
      `No image of the gallery meets Dev Box's requirements (nothing was changed): ` +
        report.rows.flatMap((r) => problemLines(r, 'fail')).join(' · '),
    );
  }
  if (qualifying.length === 0 && report.rows.length === 0)
    run.warn(`The gallery has no image definitions: Dev Box will list no images from it.`);
  if (!params.definition) return undefined;
  if (qualifying.length === 1) {
    run.log.info(`The dev box definition uses image ${qualifying[0]}, the one that qualifies.`);
    return qualifying[0];
  }
  throw new Error(
    `Input 'image': devBoxDefinition needs one image, and ` +
      (qualifying.length
        ? `${qualifying.length} qualify (${qualifying.join(', ')})`
        : 'none qualifies') +
      '. Expected the image definition to use.',
  );
}

/** The agent kills a cancelled task seconds after SIGINT: the undo gets that long. */
const CANCEL_BUDGET_MS = 5_000;

async function undoOnCancel(run: DevBoxRun, d: DefinitionPlan): Promise<void> {
  try {
    const done = await undoDefinition(run, d, AbortSignal.timeout(CANCEL_BUDGET_MS));
    run.log.warn(`Cancelled while the dev box definition was written or validated: ${done}.`);
  } catch (err) {
    run.log.warn(
      `Cancelled while the dev box definition was written or validated, and its change could ` +
        `not be undone in time (${errorMessage(err)}): check ${d.id}.`,
    );
  }
}

interface Decisions {
  identity: DevCenterIdentity;
  roles: RoleNeed[];
  attach: AttachPlan;
  definition?: DefinitionPlan;
}

function planItems(run: DevBoxRun, d: Decisions): PlanItem[] {
  const dcName = run.params.devCenter.name;
  const items: PlanItem[] = [];
  items.push(
    d.identity.add
      ? {
          action: 'update',
          target: `dev center ${dcName}`,
          reason: 'it has no managed identity',
          details: [`add ${d.identity.label}`],
        }
      : { action: 'keep', target: `dev center ${dcName}`, reason: `reads as ${d.identity.label}` },
  );
  for (const r of d.roles)
    items.push(
      r.heldAt
        ? {
            action: 'keep',
            target: `role '${r.role}' of ${r.who} on the gallery`,
            reason: `held at ${r.heldAt}`,
          }
        : {
            action: 'create',
            target: `role '${r.role}' of ${r.who} on the gallery`,
            reason: 'missing',
            details: [`principal ${r.principalId}`],
          },
    );
  items.push(
    d.attach.attached
      ? {
          action: 'keep',
          target: `gallery '${d.attach.name}' in the dev center`,
          reason: 'attached already',
        }
      : {
          action: 'create',
          target: `gallery '${d.attach.name}' in the dev center`,
          reason: 'not attached',
          details: [run.galleryId],
        },
  );
  if (d.definition) {
    const name = run.params.definition!.name;
    const p = d.definition.properties;
    items.push(
      d.definition.action === 'create'
        ? {
            action: 'create',
            target: `dev box definition ${name}`,
            reason: 'missing',
            details: [
              p.imageReference.id,
              `${p.sku.name}, ${p.osStorageType}, hibernation ${p.hibernateSupport}`,
            ],
          }
        : d.definition.action === 'update'
          ? {
              action: 'update',
              target: `dev box definition ${name}`,
              reason: 'differs',
              details: d.definition.changes,
            }
          : { action: 'keep', target: `dev box definition ${name}`, reason: 'as asked already' },
    );
  }
  return items;
}

interface WriteOptions {
  dc: DevCenter;
  identity: DevCenterIdentity;
  missing: RoleNeed[];
  attach: AttachPlan;
  definition?: DefinitionPlan;
}

async function write(run: DevBoxRun, w: WriteOptions): Promise<Validation | undefined> {
  const { log } = run;
  if (w.identity.add) {
    await run.step(`Adding ${w.identity.label} to dev center ${w.dc.name}`, () =>
      addIdentity(run, w.identity.add!.id),
    );
    log.info(`Added ${w.identity.label} to dev center ${w.dc.name}.`);
  }
  const granted = await run.step('Granting Dev Box its roles on the gallery', () =>
    grantRoles(run, w.missing),
  );
  if (!w.attach.attached) {
    log.progress(40, 'Attaching the gallery');
    await run.step(`Attaching the gallery as '${w.attach.name}'`, () =>
      attachGallery(run, w.attach.name, granted || !!w.identity.add),
    );
    log.info(`Attached the gallery as ${attachmentId(run, w.attach.name)}.`);
  }
  const d = w.definition;
  if (!d) return undefined;
  let validation: Validation;
  try {
    // Inside the try: a cancel while the definition is written is undone as one while it
    // validates (the write's long-running operation goes on in Azure).
    if (d.action !== 'keep') {
      log.progress(60, 'Writing the dev box definition');
      await run.step(`${d.action === 'create' ? 'Creating' : 'Updating'} ${d.id}`, () =>
        applyDefinition(run, d, w.dc.location),
      );
    }
    log.progress(70, 'Waiting for Dev Box to validate the image');
    validation = await run.step('Waiting for the image validation', () =>
      waitForValidation(run, d.id),
    );
  } catch (err) {
    if (run.signal.aborted && d.action !== 'keep') await undoOnCancel(run, d);
    throw err;
  }
  if (validation.status !== 'Succeeded') {
    const details = validation.error
      ? `${validation.error.code ?? ''}: ${validation.error.message ?? ''}`
      : 'Dev Box gave no details';
    const undone = d.action === 'keep' ? 'nothing was changed' : await undoDefinition(run, d);
    throw new Error(
      `Dev Box's image validation of ${d.properties.imageReference.id} ended ` +
        `${validation.status} (${details}); ${undone}.`,
    );
  }
  log.progress(100, 'Done');
  return validation;
}
