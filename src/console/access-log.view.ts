import { ACCESS_ACTIONS, AccessEntry } from '../access-log/access-log.repository';
import type { AccessLogQueryDto } from '../access-log/access-log.dto';
import type { LayoutView } from './layout.view';

export interface AccessLogView extends LayoutView {
  rows: Array<AccessEntry & { time: string }>;
  /** The filter form as it was submitted. */
  form: { user: string; from: string; to: string };
  actions: Array<{ value: string; selected: boolean }>;
  nextHref: string | null;
}

const PATH = '/admin/access-log';

/** `/admin/access-log?<filters>` with `extra` (a cursor) after them. */
export function accessLogHref(dto: AccessLogQueryDto, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const key of ['user', 'action', 'from', 'to', 'limit'] as const) {
    const value = dto[key];
    if (value !== undefined) params.append(key, String(value));
  }
  for (const [key, value] of Object.entries(extra)) params.append(key, value);
  const search = params.toString();
  return search ? `${PATH}?${search}` : PATH;
}

/** Who looked at what, newest first: one table row per recorded access. */
export function accessLogView(
  page: { items: AccessEntry[]; nextCursor: string | null },
  dto: AccessLogQueryDto,
): AccessLogView {
  return {
    title: 'Access log',
    nav: 'access-log',
    switcher: null,
    rows: page.items.map((entry) => ({
      ...entry,
      time: entry.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    })),
    form: { user: dto.user ?? '', from: dto.from ?? '', to: dto.to ?? '' },
    actions: ACCESS_ACTIONS.map((value) => ({ value, selected: value === dto.action })),
    nextHref: page.nextCursor ? accessLogHref(dto, { cursor: page.nextCursor }) : null,
  };
}
