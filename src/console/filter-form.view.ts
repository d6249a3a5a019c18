import { consoleHref, FILTER_FIELDS, FilterField, Filters, withoutFilter } from './console-filters';

interface FieldSpec {
  label: string;
  placeholder: string;
  /** Shown in the always-visible row; the rest sit under "More filters". */
  primary?: boolean;
  /** A checkbox beside the Apply button (value `true`), not an input of the grid. */
  checkbox?: boolean;
  options?: string[];
}

const FIELD_SPECS: Record<FilterField, FieldSpec> = {
  q: { label: 'Search', placeholder: 'words in name, user, URI…  (press /)', primary: true },
  user: { label: 'User', placeholder: 'alice@example.com', primary: true },
  verb: { label: 'Verb', placeholder: 'delete', primary: true },
  resource: { label: 'Resource', placeholder: 'pods/exec, deployments.apps', primary: true },
  namespace: { label: 'Namespace', placeholder: 'kube-system', primary: true },
  name: { label: 'Name', placeholder: 'object name', primary: true },
  from: { label: 'From', placeholder: '24h or 2026-11-25T10:00:00Z', primary: true },
  to: { label: 'To', placeholder: 'now', primary: true },
  cluster: { label: 'Cluster', placeholder: 'prod' },
  group: { label: 'Group', placeholder: 'system:masters' },
  apiGroup: { label: 'API group', placeholder: 'apps' },
  code: { label: 'Code', placeholder: '403 or 5xx' },
  decision: { label: 'Decision', placeholder: '', options: ['allow', 'forbid'] },
  sourceIP: { label: 'Source IP', placeholder: '10.0.0.1' },
  userAgent: { label: 'User agent contains', placeholder: 'kubectl' },
  stage: {
    label: 'Stage',
    placeholder: '',
    options: ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'],
  },
  auditID: { label: 'Audit ID', placeholder: 'uuid' },
  detectionRule: { label: 'Detection rule', placeholder: 'Attach/Exec Pod' },
  hasDetections: { label: 'Has detections', placeholder: '', checkbox: true },
};

export interface FormInput {
  value: string;
  options: { value: string; selected: boolean }[] | null;
}

export interface FormField {
  name: FilterField;
  id: string;
  label: string;
  placeholder: string;
  /** One input per value already in the URL (repeatable filters), at least one. */
  inputs: FormInput[];
}

export interface FilterFormView {
  primary: FormField[];
  more: FormField[];
  /** "More filters" starts open when one of its fields is set. */
  moreOpen: boolean;
  chips: { field: string; value: string; removeHref: string }[];
  clearHref: string;
  /** "has detections": checked shows only events a rule fired on. */
  hasDetections: { id: string; checked: boolean };
}

/** The filter bar: every filter of the query API, filled from the URL. */
export function filterFormView(filters: Filters, path = '/'): FilterFormView {
  const fields = FILTER_FIELDS.map((name): FormField => {
    const spec = FIELD_SPECS[name];
    const values = filters[name]?.length ? filters[name] : [''];
    return {
      name,
      id: name === 'q' ? 'search' : `filter-${name}`,
      label: spec.label,
      placeholder: spec.placeholder,
      inputs: values.map((value) => ({
        value,
        options: spec.options
          ? ['', ...spec.options].map((option) => ({ value: option, selected: option === value }))
          : null,
      })),
    };
  });
  const isPrimary = (field: FormField) => FIELD_SPECS[field.name].primary === true;
  const more = fields.filter((field) => !isPrimary(field) && !FIELD_SPECS[field.name].checkbox);
  return {
    // Search first and widest: it is what `/` focuses.
    primary: fields
      .filter(isPrimary)
      .sort((a, b) => Number(b.name === 'q') - Number(a.name === 'q')),
    more,
    moreOpen: more.some((field) => filters[field.name]?.length),
    chips: FILTER_FIELDS.flatMap((field) =>
      (filters[field] ?? []).map((value) => ({
        field: FIELD_SPECS[field].label,
        value,
        removeHref: consoleHref(path, withoutFilter(filters, field, value)),
      })),
    ),
    clearHref: path,
    hasDetections: {
      id: 'filter-hasDetections',
      checked: filters.hasDetections?.[0] === 'true',
    },
  };
}
