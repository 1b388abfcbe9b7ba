/** /mot-cua: desk screens for agencies without one-stop software — intake, steps, supplement, result, return, undo. */
import type { FastifyInstance } from 'fastify';
import { deskActionRoutes } from './desk.actions.routes.js';
import { deskIntakeRoutes } from './desk.intake.routes.js';
import type { DeskDeps } from './desk.view.js';

export type { DeskDeps } from './desk.view.js';

export function deskRoutes(app: FastifyInstance, deps: DeskDeps): void {
  deskIntakeRoutes(app, deps);
  deskActionRoutes(app, deps);
}
