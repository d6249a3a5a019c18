/** A stored event as the query side sees it (the wire shape is built by the service). */
export interface StoredEvent {
  id: string;
  cluster: string;
  auditID: string;
  stage: string;
  level: string;
  verb: string;
  username: string;
  groups: string[];
  impersonatedUser: string | null;
  sourceIPs: string[];
  userAgent: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  responseCode: number | null;
  decision: string | null;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  requestURI: string;
}

export interface EventFilter {
  cluster?: string;
  /** Keyset: only ids strictly below this one (newest first). */
  before?: string;
  limit: number;
}

/** A stored event with its original JSON text (what reconstruction and the detail view read). */
export interface StoredEventWithJson {
  event: StoredEvent;
  json: string;
}

export interface EventReader {
  list(filter: EventFilter): Promise<StoredEventWithJson[]>;
  get(id: string): Promise<StoredEventWithJson | undefined>;
}

export const EVENT_READER = Symbol('EVENT_READER');
