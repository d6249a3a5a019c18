import { Injectable } from '@nestjs/common';

/**
 * What `/readyz` reports beside the database, from modules that register a section (the
 * sources: each one's state). Sections inform; they never make the pod unready: a cloud's
 * outage must not take the webhook out of its Service.
 */
@Injectable()
export class ReadinessDetails {
  private readonly sections = new Map<string, () => unknown>();

  register(name: string, section: () => unknown): void {
    this.sections.set(name, section);
  }

  collect(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, section] of this.sections) out[name] = section();
    return out;
  }
}
