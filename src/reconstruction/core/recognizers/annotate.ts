import { metadataPatchRecognizer } from './metadata-patch';

export const annotateRecognizer = metadataPatchRecognizer('annotate', 'annotations');
