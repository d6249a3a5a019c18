import { aksBlobSource } from './aks/aks-blob.source';
import type { SourceDefinition } from './source-definition';

/** Every kind of source the sources file may name. */
export const SOURCE_DEFINITIONS: readonly SourceDefinition[] = [aksBlobSource];
