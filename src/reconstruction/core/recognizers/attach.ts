import { isPodStream, streamCommand } from './exec';
import type { Recognizer } from '../types';

export const attachRecognizer: Recognizer = {
  name: 'attach',
  verbs: ['get', 'create'],
  matches: (event) => isPodStream(event, 'attach'),
  build: (event) => streamCommand(event, 'attach').build(),
};
