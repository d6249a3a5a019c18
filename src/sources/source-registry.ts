import { aksBlobSource } from './aks/aks-blob.source';
import { eksCloudWatchSource } from './eks/eks-cloudwatch.source';
import { gkePubSubSource } from './gke/gke-pubsub.source';
import type { SourceDefinition } from './source-definition';

/** Every kind of source the sources file may name. */
export const SOURCE_DEFINITIONS: readonly SourceDefinition[] = [
  gkePubSubSource,
  aksBlobSource,
  eksCloudWatchSource,
];
