import type { FieldChange, HistoryItem, ObjectRef, Page } from '../audit/audit-query';
import { consoleHref } from './console-filters';
import { EventRowView, eventRowView } from './event-row.view';
import { objectHistoryHref, userActivityHref } from './event-detail.view';
import { LayoutView } from './layout.view';

export interface ChangeView extends FieldChange {
  opClass: string;
}

export interface HistoryEntryView {
  row: EventRowView;
  userHref: string;
  changes: ChangeView[] | null;
  diffNote: string | null;
}

export interface ObjectHistoryView extends LayoutView {
  ref: ObjectRef;
  kindLabel: string;
  entries: HistoryEntryView[];
  nextHref: string | null;
  eventsHref: string;
}

const OP_CLASS: Record<FieldChange['op'], string> = {
  added: 'text-emerald-700 dark:text-emerald-300',
  removed: 'text-red-700 dark:text-red-300',
  changed: 'text-amber-700 dark:text-amber-300',
};

/** The timeline of one object, oldest first: who did what, and for writes what changed. */
export function objectHistoryView(ref: ObjectRef, page: Page<HistoryItem>): ObjectHistoryView {
  const group = ref.apiGroup ? `.${ref.apiGroup}` : '';
  return {
    title: `History of ${ref.resource} ${ref.name}`,
    nav: 'events',
    switcher: null,
    ref,
    kindLabel: `${ref.resource}${group}`,
    entries: page.items.map((item) => ({
      row: eventRowView(item, {}),
      userHref: userActivityHref(item.username, ref.cluster),
      changes: item.diff
        ? item.diff.map((change) => ({ ...change, opClass: OP_CLASS[change.op] }))
        : null,
      diffNote: item.diffNote ?? null,
    })),
    nextHref: page.nextCursor
      ? `${objectHistoryHref(ref)}&${new URLSearchParams({ cursor: page.nextCursor }).toString()}`
      : null,
    eventsHref: consoleHref('/', {
      cluster: [ref.cluster],
      resource: [`${ref.resource}${group}`],
      ...(ref.namespace ? { namespace: [ref.namespace] } : {}),
      name: [ref.name],
    }),
  };
}
