// The image-building part of the simulated Azure, as simulator modules (registered in
// ../modules.ts): marketplace catalog, managed images and VM sources, Azure Compute Gallery,
// container groups (the build container and its logs), and Azure VM Image Builder templates with
// their simulated builds.
import type { SimModule } from '../arm/framework';
import { computeImageTypes } from './computeImages';
import { containerGroupRoutes, containerGroupTypes } from './containerGroups';
import { galleryTypes } from './gallery';
import { imageTemplateTypes } from './imageTemplates';
import { catalogOf, marketplaceRoutes } from './marketplace';

export const imageBuildingModule: SimModule = {
  name: 'image building (marketplace, images, gallery, container instances, image builder)',
  register(r) {
    for (const route of marketplaceRoutes((sim) => catalogOf(sim.scenario))) r.route(route);
    for (const t of computeImageTypes()) r.type(t);
    for (const t of galleryTypes()) r.type(t);
    for (const t of containerGroupTypes()) r.type(t);
    for (const route of containerGroupRoutes()) r.route(route);
    for (const t of imageTemplateTypes()) r.type(t);
  },
  start(sim) {
    // Fail at start, not mid-run, on a malformed scenario key.
    catalogOf(sim.scenario);
  },
};
