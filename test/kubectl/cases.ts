import { AuditEvent, AuditLevel, ObjectReference } from '../../src/domain/audit-event';
import { join } from 'node:path';
import { KubectlVersion } from './kubectl-runner';
import { FIXTURES } from './kubectl-suite';
import { Fidelity, RequestPick } from './request-compare';

/**
 * One row per kubectl command under test. `expect` is the lowest fidelity the reconstruction
 * may claim for the event of that command; whatever it claims is then checked against the
 * request its command sends. Commands run in test/fixtures/kubectl (manifests live there) against
 * the objects in seed-objects.ts. kubectl 1.31 is the default because it sends JSON bodies;
 * rows on 1.32 check what that version puts in URLs and queries.
 */
export interface KubectlCase {
  name: string;
  command: string;
  expect: Fidelity;
  kubectl?: KubectlVersion;
  /** Needs a terminal for `-t` (run under `script -qec`). */
  tty?: boolean;
  /** Which request the audit event describes, when the default rule is not it. */
  pick?: RequestPick;
  /** Body values no command line can reproduce (timestamps). */
  volatile?: string[][];
  /**
   * What a person would type for the `<placeholders>` of a partial reconstruction (information
   * the event does not hold: local ports, the exposed object, the drained node).
   */
  placeholders?: Record<string, string>;
  /** Audit level of the event handed to toKubectl (default Request). */
  level?: AuditLevel;
  /** Environment for both runs (the editor `kubectl edit` runs). */
  env?: Record<string, string>;
  /**
   * The event as a sanitised export or a format converter hands it over (issue 11): toKubectl
   * gets this instead of the apiserver's event, and must still rebuild the original request.
   */
  reshape?: (event: AuditEvent) => AuditEvent;
}

/** Drops objectRef fields, as sanitised exports do. */
function withoutRef(...fields: (keyof ObjectReference)[]): (event: AuditEvent) => AuditEvent {
  return (event) => {
    const objectRef = { ...event.objectRef! };
    for (const f of fields) delete objectRef[f];
    return { ...event, objectRef };
  };
}

/** The request URI and apiGroup as GKE's resource names give them (`core/v1/...`, `apps/v1/...`). */
function gkeResourceName(event: AuditEvent): AuditEvent {
  const requestURI = event.requestURI.replace(/^\/api\//, 'core/').replace(/^\/apis\//, '');
  const objectRef = { ...event.objectRef!, apiGroup: event.objectRef!.apiGroup || 'core' };
  return { ...event, requestURI, objectRef };
}

const eventsList: RequestPick = (r) => /\/events$/.test(r.path);
const metrics: RequestPick = (r) => r.path.startsWith('/apis/metrics.k8s.io/');
const csrCondition = [
  ['status', 'conditions', '*', 'lastUpdateTime'],
  ['status', 'conditions', '*', 'lastTransitionTime'],
];
const restartedAt = [
  ['spec', 'template', 'metadata', 'annotations', 'kubectl.kubernetes.io/restartedAt'],
];
const jsonPatch = `'[{"op":"add","path":"/metadata/labels/tier","value":"frontend"}]'`;

export const CASES: KubectlCase[] = [
  // get / list / watch / describe
  { name: 'get pods -n', command: 'kubectl get pods -n team-a', expect: 'exact' },
  { name: 'get pods -A', command: 'kubectl get pods -A', expect: 'exact' },
  { name: 'get pods -l', command: "kubectl get pods -l 'app=web,tier!=db'", expect: 'exact' },
  {
    name: 'get pods --field-selector',
    command: 'kubectl get pods --field-selector=status.phase=Running,spec.nodeName=node-1',
    expect: 'exact',
  },
  { name: 'get deploy X -o yaml', command: 'kubectl get deploy web -o yaml', expect: 'exact' },
  { name: 'get pods -o yaml', command: 'kubectl get pods -o yaml -n kube-system', expect: 'exact' },
  { name: 'get pods --chunk-size=0', command: 'kubectl get pods --chunk-size=0', expect: 'exact' },
  { name: 'get pods -w', command: 'kubectl get pods -w -l app=web', expect: 'exact' },
  { name: 'get pod X -w', command: 'kubectl get pod web-0 -w', expect: 'exact' },
  {
    name: 'get --subresource',
    command: 'kubectl get deploy web --subresource=scale',
    expect: 'exact',
  },
  {
    name: 'describe pod',
    command: 'kubectl describe pod web-0',
    expect: 'partial',
    pick: eventsList,
    placeholders: { type: 'pod' },
  },
  // create
  { name: 'create -f', command: 'kubectl create -f pod.yaml', expect: 'exact' },
  {
    name: 'create secret generic',
    command: 'kubectl create secret generic db-creds --from-literal=password=s3cr3t',
    expect: 'partial',
    placeholders: { redacted: 's3cr3t' },
  },
  {
    name: 'create configmap',
    command: "kubectl create configmap app --from-literal=greeting='hello world' -n team-a",
    expect: 'exact',
  },
  { name: 'create namespace', command: 'kubectl create namespace team-b', expect: 'exact' },
  {
    name: 'create deployment',
    command:
      'kubectl create deployment api --image=registry.example/api:2.1 --replicas=2 --port=8080',
    expect: 'exact',
  },
  {
    name: 'create job',
    command: 'kubectl create job once --image=busybox:1.36 -- echo hello',
    expect: 'exact',
  },
  {
    name: 'create job --from',
    command: 'kubectl create job manual-1 --from=cronjob/nightly',
    expect: 'equivalent',
  },
  {
    name: 'create role',
    command: 'kubectl create role pod-reader --verb=get,list,watch --resource=pods,pods/log',
    expect: 'exact',
  },
  {
    name: 'create rolebinding',
    command: 'kubectl create rolebinding read-pods --role=pod-reader --user=jane --group=devs',
    expect: 'exact',
  },
  {
    name: 'create serviceaccount',
    command: 'kubectl create serviceaccount ci -n team-a',
    expect: 'exact',
  },
  {
    name: 'create --dry-run=server',
    command: 'kubectl create configmap preview --from-literal=a=b --dry-run=server',
    expect: 'exact',
  },
  // apply / replace / patch
  {
    name: 'apply existing (client-side)',
    command: 'kubectl apply -f app-config.yaml',
    expect: 'exact',
  },
  { name: 'apply new (client-side)', command: 'kubectl apply -f new-config.yaml', expect: 'exact' },
  {
    name: 'apply --server-side',
    command: 'kubectl apply --server-side -f api-deployment.yaml',
    expect: 'exact',
  },
  {
    name: 'apply --server-side --force-conflicts',
    command: 'kubectl apply --server-side --force-conflicts -f api-deployment.yaml',
    expect: 'exact',
  },
  { name: 'replace -f', command: 'kubectl replace -f settings-replace.yaml', expect: 'exact' },
  {
    name: 'patch (strategic)',
    command: `kubectl patch deploy web -p '{"spec":{"replicas":4}}'`,
    expect: 'partial',
  },
  {
    name: 'patch --type=merge',
    command: `kubectl patch configmap settings --type=merge -p '{"data":{"level":"warn"}}'`,
    expect: 'partial',
  },
  {
    name: 'patch --type=json',
    command: `kubectl patch pod web-0 --type=json -p ${jsonPatch}`,
    expect: 'exact',
  },
  {
    name: 'patch --subresource=scale',
    command: `kubectl patch deploy web --subresource=scale --type=merge -p '{"spec":{"replicas":5}}'`,
    expect: 'equivalent',
  },
  // delete
  { name: 'delete', command: 'kubectl delete configmap settings', expect: 'exact' },
  {
    name: 'delete --grace-period',
    command: 'kubectl delete pod web-0 --grace-period=10',
    expect: 'exact',
  },
  {
    name: 'delete --cascade=orphan',
    command: 'kubectl delete deployment web --cascade=orphan',
    expect: 'exact',
  },
  { name: 'delete --now', command: 'kubectl delete pod web-0 --now', expect: 'exact' },
  {
    name: 'delete --force',
    command: 'kubectl delete pod web-0 --force --grace-period=0',
    expect: 'exact',
  },
  {
    name: 'delete --dry-run=server',
    command: 'kubectl delete secret creds --dry-run=server',
    expect: 'exact',
  },
  // workload commands
  { name: 'scale', command: 'kubectl scale deploy web --replicas=3', expect: 'exact' },
  {
    name: 'rollout restart',
    command: 'kubectl rollout restart deployment/web',
    expect: 'equivalent',
    volatile: restartedAt,
  },
  { name: 'rollout pause', command: 'kubectl rollout pause deployment/web', expect: 'exact' },
  { name: 'rollout resume', command: 'kubectl rollout resume deployment/worker', expect: 'exact' },
  { name: 'rollout undo', command: 'kubectl rollout undo deployment/web', expect: 'partial' },
  {
    name: 'set image',
    command: 'kubectl set image deployment/web web=nginx:1.28',
    expect: 'exact',
  },
  { name: 'set env', command: 'kubectl set env deployment/web LOG_LEVEL=debug', expect: 'exact' },
  {
    name: 'set resources',
    command: 'kubectl set resources deployment/web -c web --limits=cpu=200m,memory=256Mi',
    expect: 'exact',
  },
  { name: 'label', command: 'kubectl label pod web-0 tier=frontend', expect: 'exact' },
  { name: 'label removal', command: 'kubectl label pod web-0 app-', expect: 'exact' },
  {
    name: 'annotate',
    command: "kubectl annotate deployment web owner='team a' --overwrite",
    expect: 'exact',
  },
  // nodes
  { name: 'cordon', command: 'kubectl cordon node-1', expect: 'exact' },
  { name: 'uncordon', command: 'kubectl uncordon node-2', expect: 'exact' },
  {
    name: 'drain (eviction)',
    command: 'kubectl drain node-1 --ignore-daemonsets --grace-period=30',
    expect: 'partial',
    placeholders: { node: 'node-1' },
  },
  {
    name: 'taint',
    command: 'kubectl taint nodes node-1 dedicated=gpu:NoSchedule',
    expect: 'partial',
  },
  // streaming
  { name: 'exec', command: 'kubectl exec web-0 -- ls -la /tmp', expect: 'exact' },
  {
    name: 'exec -c with shell quoting',
    command: `kubectl exec web-0 -c sidecar -- sh -c 'echo "$HOME" && cat /etc/hosts'`,
    expect: 'exact',
  },
  { name: 'exec -i', command: 'kubectl exec -i web-0 -c sidecar -- sh', expect: 'exact' },
  { name: 'exec -it', command: 'kubectl exec -it web-0 -- sh', expect: 'exact', tty: true },
  { name: 'attach', command: 'kubectl attach web-0 -c sidecar', expect: 'exact' },
  {
    name: 'attach -it',
    command: 'kubectl attach -it web-0 -c sidecar',
    expect: 'exact',
    tty: true,
  },
  { name: 'logs -c', command: 'kubectl logs web-0 -c sidecar', expect: 'exact' },
  { name: 'logs -f --tail', command: 'kubectl logs web-0 -f --tail=50', expect: 'exact' },
  {
    name: 'logs --since --timestamps',
    command: 'kubectl logs web-0 --since=5m --timestamps',
    expect: 'exact',
  },
  {
    name: 'logs --since-time --previous',
    command: 'kubectl logs web-0 -c sidecar --since-time=2026-01-01T00:00:00Z --previous',
    expect: 'exact',
  },
  {
    name: 'port-forward',
    command: 'kubectl port-forward pod/web-0 8080:80',
    expect: 'partial',
    placeholders: { 'local-port': '8080', 'remote-port': '80' },
  },
  {
    name: 'cp from pod',
    command: 'kubectl cp web-0:/etc/hosts ./hosts',
    expect: 'partial',
    placeholders: { 'local-path': './hosts' },
  },
  {
    name: 'debug ephemeral container',
    command: 'kubectl debug web-0 -it --image=busybox:1.36 --target=web',
    expect: 'partial',
    tty: true,
  },
  // auth, metrics, certificates, tokens
  { name: 'auth can-i', command: 'kubectl auth can-i delete pods -n team-a', expect: 'exact' },
  {
    name: 'auth can-i subresource',
    command: 'kubectl auth can-i create pods --subresource=exec',
    expect: 'exact',
  },
  { name: 'auth can-i non-resource', command: 'kubectl auth can-i get /logs', expect: 'exact' },
  { name: 'auth whoami', command: 'kubectl auth whoami', expect: 'exact' },
  { name: 'top pod', command: 'kubectl top pod -l app=web', expect: 'exact', pick: metrics },
  { name: 'top node', command: 'kubectl top node', expect: 'exact', pick: metrics },
  {
    name: 'certificate approve',
    command: 'kubectl certificate approve csr-alice',
    expect: 'exact',
    volatile: csrCondition,
  },
  {
    name: 'certificate deny',
    command: 'kubectl certificate deny csr-alice',
    expect: 'exact',
    volatile: csrCondition,
  },
  {
    name: 'create token',
    command: 'kubectl create token builder --duration=1h --audience=vault',
    expect: 'exact',
  },
  // generators that read first
  {
    name: 'run',
    command:
      'kubectl run tmp --image=busybox:1.36 --restart=Never --labels=purpose=debug -- sleep 10',
    expect: 'exact',
  },
  {
    name: 'expose',
    command: 'kubectl expose deployment web --port=80 --target-port=8080 --name=web-public',
    expect: 'partial',
    placeholders: { type: 'deployment', name: 'web' },
  },
  {
    name: 'autoscale',
    command: 'kubectl autoscale deployment web --min=2 --max=5 --cpu-percent=70',
    expect: 'exact',
  },
  // raw, impersonation
  {
    name: 'get --raw resource path',
    command: 'kubectl get --raw /api/v1/namespaces/default/pods',
    expect: 'partial',
  },
  { name: 'get --raw non-resource', command: 'kubectl get --raw /readyz', expect: 'exact' },
  {
    name: '--as/--as-group',
    command: 'kubectl get pods --as=jane --as-group=devs --as-group=qa',
    expect: 'exact',
  },
  {
    name: '--as service account',
    command: 'kubectl delete pod web-0 --as=system:serviceaccount:ci:deployer',
    expect: 'exact',
  },
  // quoting, selectors and less common flags
  {
    name: 'create -f with shell metacharacters',
    command: 'kubectl create -f tricky-config.yaml',
    expect: 'exact',
  },
  {
    name: 'create configmap with quotes and $',
    command: `kubectl create configmap quoted --from-literal=msg='it'"'"'s "$HOME" \`id\`'`,
    expect: 'exact',
  },
  {
    name: 'exec with quotes and newline',
    command: `kubectl exec web-0 -- sh -c 'printf "%s\n" "it'"'"'s"; echo $((1+1))'`,
    expect: 'exact',
  },
  {
    name: 'get --sort-by',
    command: 'kubectl get pods --sort-by=.metadata.name',
    expect: 'partial',
    placeholders: { jsonpath: '.metadata.name' },
  },
  {
    name: 'get nodes -l',
    command: 'kubectl get nodes -l kubernetes.io/hostname=node-1',
    expect: 'exact',
  },
  {
    name: 'delete -l (one delete per object)',
    command: 'kubectl delete pods -l app=web',
    expect: 'exact',
  },
  {
    name: 'scale --current-replicas (PUT scale)',
    command: 'kubectl scale deploy web --current-replicas=2 --replicas=3',
    expect: 'partial',
  },
  {
    name: 'edit',
    command: 'kubectl edit configmap settings',
    expect: 'partial',
    env: { KUBE_EDITOR: 'sed -i s/info/warn/' },
  },
  { name: 'auth can-i --list', command: 'kubectl auth can-i --list -n team-a', expect: 'exact' },
  {
    name: 'logs --limit-bytes --all-containers',
    command: 'kubectl logs web-0 --limit-bytes=1024 --all-containers',
    expect: 'exact',
  },
  {
    name: 'apply --dry-run=server',
    command: 'kubectl apply -f new-config.yaml --dry-run=server',
    expect: 'exact',
  },
  {
    name: 'create secret docker-registry',
    command:
      'kubectl create secret docker-registry regcred --docker-server=r.example --docker-username=u --docker-password=p',
    expect: 'partial',
    placeholders: {
      redacted:
        'eyJhdXRocyI6eyJyLmV4YW1wbGUiOnsidXNlcm5hbWUiOiJ1IiwicGFzc3dvcmQiOiJwIiwiYXV0aCI6ImRUcHcifX19',
    },
  },
  {
    name: 'create clusterrole',
    command: 'kubectl create clusterrole node-reader --verb=get,list --resource=nodes',
    expect: 'exact',
  },
  {
    name: 'create cronjob',
    command: "kubectl create cronjob tick --image=busybox:1.36 --schedule='*/5 * * * *' -- date",
    expect: 'exact',
  },
  {
    name: 'create service clusterip',
    command: 'kubectl create service clusterip api --tcp=80:8080',
    expect: 'exact',
  },
  {
    name: 'create pdb',
    command: 'kubectl create pdb web-pdb --selector=app=web --min-available=1',
    expect: 'exact',
  },
  {
    name: 'create ingress',
    command: "kubectl create ingress web --rule='web.example/*=web:80'",
    expect: 'exact',
  },
  {
    name: 'create priorityclass',
    command: 'kubectl create priorityclass high --value=1000 --description="important pods"',
    expect: 'exact',
  },
  {
    name: 'create quota',
    command: 'kubectl create quota small --hard=pods=10,requests.cpu=2',
    expect: 'exact',
  },
  // more quoting and flag edge cases
  {
    name: 'exec with an empty argument',
    command: "kubectl exec web-0 -- printf '%s|%s' '' 'a b'",
    expect: 'exact',
  },
  {
    name: 'annotate with newline and $',
    command: "kubectl annotate pod web-0 $'note=line1\\nline2 $HOME `x`'",
    expect: 'exact',
  },
  {
    name: 'get -l set-based',
    command: "kubectl get pods -l 'env in (prod,qa),!canary'",
    expect: 'exact',
  },
  {
    name: 'get --field-selector !=',
    command: "kubectl get pods -A --field-selector 'metadata.name!=web-0'",
    expect: 'exact',
  },
  {
    name: 'create configmap --from-file',
    command: 'kubectl create configmap motd --from-file=motd=motd.txt',
    expect: 'exact',
  },
  {
    name: 'create deployment in another namespace',
    command: 'kubectl -n team-a create deployment api --image=nginx',
    expect: 'exact',
  },
  {
    name: 'run with env, command and overrides',
    command: `kubectl run job-x --image=busybox --restart=Never --env=A=1 --env='B=two words' --overrides='{"spec":{"serviceAccountName":"builder"}}' --command -- sh -c 'echo $A'`,
    expect: 'partial',
  },
  { name: 'exec via deploy/', command: 'kubectl exec deploy/web -- hostname', expect: 'exact' },
  { name: 'logs via deploy/', command: 'kubectl logs deploy/web --tail=3', expect: 'exact' },
  {
    name: 'port-forward via svc/',
    command: 'kubectl port-forward svc/web 8080:80',
    expect: 'partial',
    placeholders: { 'local-port': '8080', 'remote-port': '8080' },
  },
  {
    name: 'create token bound to a pod',
    command: 'kubectl create token builder --bound-object-kind=Pod --bound-object-name=web-0',
    expect: 'exact',
  },
  {
    name: 'set image wildcard',
    command: "kubectl set image deploy/web '*=nginx:1.29'",
    expect: 'exact',
  },
  { name: 'scale to zero', command: 'kubectl scale deploy web --replicas=0', expect: 'exact' },
  {
    name: 'patch --patch-file',
    command: 'kubectl patch deploy web --type=merge --patch-file=replicas-patch.yaml',
    expect: 'partial',
  },
  {
    name: 'label add and remove',
    command: 'kubectl label pod web-0 app- tier=fe',
    expect: 'exact',
  },
  {
    name: 'label --resource-version',
    command: 'kubectl label pod web-0 tier=fe --resource-version=103',
    expect: 'exact',
  },
  {
    name: 'delete --cascade=foreground',
    command: 'kubectl delete deploy web --cascade=foreground',
    expect: 'exact',
  },
  { name: 'get --watch-only', command: 'kubectl get pods --watch-only', expect: 'exact' },
  {
    name: 'get -w --output-watch-events',
    command: 'kubectl get deploy web -w --output-watch-events',
    expect: 'exact',
  },
  {
    name: '--as with --as-uid',
    command: 'kubectl get nodes --as=jane --as-uid=1234 --as-group=ops',
    expect: 'exact',
  },
  {
    name: 'auth can-i everything everywhere',
    command: "kubectl auth can-i '*' '*' --all-namespaces",
    expect: 'exact',
  },
  // Metadata level: no bodies, so writes can only be partial; what the URL holds stays exact
  {
    name: 'Metadata: exec',
    command: 'kubectl exec web-0 -c sidecar -- id',
    expect: 'exact',
    level: 'Metadata',
  },
  {
    name: 'Metadata: get -l',
    command: 'kubectl get pods -l app=web',
    expect: 'exact',
    level: 'Metadata',
  },
  {
    name: 'Metadata: scale',
    command: 'kubectl scale deploy web --replicas=3',
    expect: 'partial',
    level: 'Metadata',
    placeholders: { count: '7' },
  },
  {
    name: 'Metadata: delete --grace-period',
    command: 'kubectl delete pod web-0 --grace-period=10',
    expect: 'partial',
    level: 'Metadata',
  },
  {
    name: 'Metadata: create configmap',
    command: 'kubectl create configmap app --from-literal=a=b',
    expect: 'partial',
    level: 'Metadata',
    placeholders: { 'manifest.yaml': join(FIXTURES, 'app-configmap.yaml') },
  },
  // kubectl 1.32: URLs and queries (bodies of typed writes are protobuf there)
  {
    name: '1.32 get pods -n -l',
    command: 'kubectl get pods -n team-a -l app=web',
    expect: 'exact',
    kubectl: '1.32',
  },
  {
    name: '1.32 get pod X -w',
    command: 'kubectl get pod web-0 -w',
    expect: 'exact',
    kubectl: '1.32',
  },
  {
    name: '1.32 exec',
    command: 'kubectl exec web-0 -c sidecar -- date',
    expect: 'exact',
    kubectl: '1.32',
  },
  {
    name: '1.32 logs -f',
    command: 'kubectl logs web-0 -f --tail=5',
    expect: 'exact',
    kubectl: '1.32',
  },
  {
    name: '1.32 port-forward',
    command: 'kubectl port-forward pod/web-0 5432:5432',
    expect: 'partial',
    kubectl: '1.32',
    placeholders: { 'local-port': '5432', 'remote-port': '5432' },
  },
  {
    name: '1.32 scale',
    command: 'kubectl scale deploy web --replicas=1',
    expect: 'exact',
    kubectl: '1.32',
  },
  {
    name: '1.32 label',
    command: 'kubectl label node node-1 zone=a',
    expect: 'exact',
    kubectl: '1.32',
  },
  {
    name: '1.32 apply --server-side',
    command: 'kubectl apply --server-side -f api-deployment.yaml',
    expect: 'exact',
    kubectl: '1.32',
  },

  // Issue 11: what sanitised exports and converters hand over; the request URI still decides.
  {
    name: 'scale, objectRef without a name',
    command: 'kubectl scale deploy web --replicas=3',
    expect: 'exact',
    reshape: withoutRef('name'),
  },
  {
    name: 'delete, objectRef without namespace and name',
    command: 'kubectl delete configmap settings',
    expect: 'exact',
    reshape: withoutRef('namespace', 'name'),
  },
  {
    name: 'delete in GKE resource-name form, apiGroup core',
    command: 'kubectl delete service web',
    expect: 'exact',
    reshape: gkeResourceName,
  },
  {
    name: 'scale in GKE resource-name form',
    command: 'kubectl scale deploy web --replicas=2',
    expect: 'exact',
    reshape: gkeResourceName,
  },
  {
    name: 'get pods -l in GKE resource-name form',
    command: "kubectl get pods -l 'app=web'",
    expect: 'exact',
    reshape: gkeResourceName,
  },
];
