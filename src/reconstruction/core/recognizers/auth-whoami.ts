import { KubectlCommand } from '../command';
import { viewOf } from '../request';
import type { Recognizer } from '../types';

export const authWhoamiRecognizer: Recognizer = {
  name: 'auth-whoami',
  verbs: ['create'],
  matches(event) {
    const view = viewOf(event);
    return (
      view.resource === 'selfsubjectreviews' &&
      view.group === 'authentication.k8s.io' &&
      view.verb === 'create'
    );
  },
  build: (event) => new KubectlCommand(viewOf(event), 'auth', 'whoami').build(),
};
