import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { type Destination, type DestinationKind, normalizeTarget, toDestination } from './destination.js';
import * as repo from './destination.repository.js';

export interface DestinationInput {
  name: string;
  kind: DestinationKind;
  target: string;
}

export class DestinationService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async list(projectId: string): Promise<Destination[]> {
    return (await repo.listDestinations(this.deps.db, projectId)).map(toDestination);
  }

  async get(projectId: string, id: string): Promise<Destination> {
    const row = await repo.findDestination(this.deps.db, projectId, id);
    if (!row) throw notFound(`destination ${id}`);
    return toDestination(row);
  }

  /** For other features that reference a destination: it must exist in the same project. */
  async assertInProject(projectId: string, id: string): Promise<void> {
    if (!(await repo.findDestination(this.deps.db, projectId, id))) {
      throw new AppError('validation_failed', `destination ${id} is not in this project`);
    }
  }

  async create(project: { id: string; country: string }, input: DestinationInput): Promise<Destination> {
    const target = normalizeTarget(input.kind, input.target, project.country);
    if (!target.ok) throw new AppError('validation_failed', target.reason);
    const now = this.deps.clock.now();
    const row = {
      id: newId(),
      project_id: project.id,
      name: input.name.trim(),
      kind: input.kind,
      target: target.target,
      created_at: now,
      updated_at: now,
    };
    await repo.insertDestination(this.deps.db, row);
    return toDestination(row);
  }

  async update(
    project: { id: string; country: string },
    id: string,
    input: Partial<DestinationInput>,
  ): Promise<Destination> {
    const current = await this.get(project.id, id);
    const kind = input.kind ?? current.kind;
    const target = normalizeTarget(kind, input.target ?? current.target, project.country);
    if (!target.ok) throw new AppError('validation_failed', target.reason);
    const patch = {
      name: input.name?.trim() ?? current.name,
      kind,
      target: target.target,
      updated_at: this.deps.clock.now(),
    };
    await repo.updateDestination(this.deps.db, project.id, id, patch);
    return { ...current, ...patch, updatedAt: patch.updated_at };
  }

  async remove(projectId: string, id: string): Promise<void> {
    await this.get(projectId, id);
    await repo.deleteDestination(this.deps.db, projectId, id);
  }
}
