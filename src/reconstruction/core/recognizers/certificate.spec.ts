import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const URI = '/apis/certificates.k8s.io/v1/certificatesigningrequests/node-csr-abc/approval';

function csr(type: string) {
  return {
    kind: 'CertificateSigningRequest',
    status: {
      conditions: [
        { type, status: 'True', reason: `Kubectl${type === 'Approved' ? 'Approve' : 'Deny'}` },
      ],
    },
  };
}

describe('certificate recognizer', () => {
  it('tells approve from deny by the condition', () => {
    expect(
      reconstruct(makeEvent('update', URI, { body: csr('Approved') }), 'certificate', 'exact')
        .command,
    ).toBe('kubectl certificate approve node-csr-abc');
    expect(
      reconstruct(makeEvent('update', URI, { body: csr('Denied') }), 'certificate', 'exact')
        .command,
    ).toBe('kubectl certificate deny node-csr-abc');
  });

  it('marks the decision at Metadata level', () => {
    expect(reconstruct(makeEvent('update', URI), 'certificate', 'partial').command).toBe(
      "kubectl certificate '<approve|deny>' node-csr-abc",
    );
  });
});
