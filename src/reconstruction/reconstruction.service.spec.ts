import { Test } from '@nestjs/testing';
import { makeEvent } from './core/testing/make-event';
import { ReconstructionModule } from './reconstruction.module';
import { ReconstructionService } from './reconstruction.service';

describe('ReconstructionService', () => {
  it('is exported by ReconstructionModule and explains an event', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ReconstructionModule] }).compile();
    const service = moduleRef.get(ReconstructionService);
    const event = makeEvent('delete', '/api/v1/namespaces/prod/secrets/db-creds', {
      user: { username: 'alice' },
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
    });

    const explanation = service.explain(event, 'prod-eu');

    expect(explanation.summary).toBe(
      'alice deleted Secret `db-creds` in namespace `prod` (cluster `prod-eu`)',
    );
    expect(explanation.kubectl).toEqual({
      command: 'kubectl delete secrets db-creds -n prod',
      fidelity: 'exact',
      notes: [],
    });
    expect(explanation.kubectl).not.toHaveProperty('recognizer');
  });
});
