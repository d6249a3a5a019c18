import { metadataPatchRecognizer } from './metadata-patch';

export const labelRecognizer = metadataPatchRecognizer('label', 'labels');
