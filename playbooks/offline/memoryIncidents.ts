import { DownstreamError } from '../errors.js';
import type { IncidentTrigger } from '../payload.js';
import type { IncidentRef } from '../sentinel/armId.js';
import { type Incident, writableProperties } from '../sentinel/incident.js';
import {
  commentMessage,
  type IncidentChange,
  type IncidentClient,
  type UpdateResult,
} from '../sentinel/incidentClient.js';

export interface RecordedIncidentWrite {
  kind: 'update' | 'comment';
  incidentArmId: string;
  incidentNumber?: number;
  /** The PUT body (etag + writable properties) or the comment body, as it would go to ARM. */
  body: unknown;
}

/**
 * Sentinel incidents in memory for the offline outbox: the same read-modify-write with ETags as ARM, and
 * every write recorded as the request body the ARM client would have sent.
 */
export class MemoryIncidents implements IncidentClient {
  readonly writes: RecordedIncidentWrite[] = [];
  readonly #items = new Map<string, { incident: Incident; comments: Map<string, string> }>();
  #version = 0;

  /** Registers the incident a trigger describes (its state at trigger time). */
  seed(trigger: IncidentTrigger): void {
    const { Alerts: _alerts, relatedEntities: _entities, ...properties } = trigger.object.properties;
    const key = trigger.object.id.toLowerCase();
    if (this.#items.has(key)) return;
    this.#items.set(key, {
      incident: {
        id: trigger.object.id,
        name: trigger.object.name ?? trigger.object.id.split('/').pop()!,
        etag: `"${++this.#version}"`,
        properties: JSON.parse(JSON.stringify(properties)) as Incident['properties'],
      },
      comments: new Map(),
    });
  }

  #entry(ref: IncidentRef) {
    const e = this.#items.get(ref.armId.toLowerCase());
    if (!e)
      throw new DownstreamError(
        'sentinel',
        'not-found',
        `no incident ${ref.incidentId} in the offline workspace`,
        404,
      );
    return e;
  }

  async get(ref: IncidentRef): Promise<Incident> {
    return JSON.parse(JSON.stringify(this.#entry(ref).incident)) as Incident;
  }

  async update(ref: IncidentRef, change: IncidentChange): Promise<UpdateResult> {
    const e = this.#entry(ref);
    const current = await this.get(ref);
    const next = change(current.properties);
    if (!next) return { incident: current, changed: false, attempts: 0 };
    const body = { etag: current.etag, properties: writableProperties(next) };
    e.incident = {
      ...e.incident,
      etag: `"${++this.#version}"`,
      properties: { ...e.incident.properties, ...body.properties },
    };
    this.writes.push({
      kind: 'update',
      incidentArmId: ref.armId,
      incidentNumber: e.incident.properties.incidentNumber,
      body,
    });
    return { incident: await this.get(ref), changed: true, attempts: 1 };
  }

  async addComment(ref: IncidentRef, commentId: string, message: string): Promise<{ created: boolean }> {
    const e = this.#entry(ref);
    if (e.comments.has(commentId)) return { created: false };
    const text = commentMessage(message);
    e.comments.set(commentId, text);
    this.writes.push({
      kind: 'comment',
      incidentArmId: ref.armId,
      incidentNumber: e.incident.properties.incidentNumber,
      body: { commentId, properties: { message: text } },
    });
    return { created: true };
  }
}
