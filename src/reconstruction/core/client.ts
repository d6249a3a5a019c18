/** Who sent a request, judged from its User-Agent (client-go `DefaultKubernetesUserAgent`). */
export interface ClientInfo {
  kind: 'kubectl' | 'other' | 'unknown';
  /** A short human name: `kubectl v1.31`, `Helm`, `kube-controller-manager (resourcequota-controller)`. */
  name: string;
  minorVersion?: number;
}

const KUBECTL = /^(?:kubectl|oc)(?:\.exe)?\/v(\d+)\.(\d+)/;
const CONTROLLER_SUFFIX = /\/system:serviceaccount:[^:/\s]+:([^/\s]+)\s*$/;
const KNOWN: ReadonlyArray<[RegExp, string]> = [
  [/^helm\//i, 'Helm'],
  [/^argocd-application-controller\//, 'Argo CD application controller'],
  [/^argocd-server\//, 'Argo CD server'],
  [/argo-workflows/i, 'Argo Workflows'],
  [/^kubelet\//, 'kubelet'],
  [/^kube-scheduler\//, 'kube-scheduler'],
  [/^kube-proxy\//, 'kube-proxy'],
  [/^kube-apiserver\//, 'kube-apiserver'],
  [/^Go-http-client\//, 'a Go HTTP client'],
  [/^curl\//, 'curl'],
  [/^Mozilla\//, 'a web browser'],
];

/** Control-plane identities: without a userAgent the username still names the client. */
const SYSTEM_USER =
  /^system:(serviceaccount:kube-system:[^:]+|node:[^:]+|kube-controller-manager|kube-scheduler|kube-proxy|apiserver)$/;

// The same few user agents send most events; remember their answers, within bounds.
const known = new Map<string, ClientInfo>();
const MAX_REMEMBERED = 1000;

export function identifyClient(userAgent: string | undefined, username?: string): ClientInfo {
  if (!userAgent) return withoutUserAgent(username);
  let info = known.get(userAgent);
  if (!info) {
    info = fromUserAgent(userAgent);
    if (known.size >= MAX_REMEMBERED) known.clear();
    known.set(userAgent, info);
  }
  return info;
}

function withoutUserAgent(username: string | undefined): ClientInfo {
  const system = username ? SYSTEM_USER.exec(username) : null;
  if (system) return { kind: 'other', name: clean(system[0]) };
  return { kind: 'unknown', name: 'an unknown client (no userAgent)' };
}

function fromUserAgent(userAgent: string): ClientInfo {
  const kubectl = KUBECTL.exec(userAgent);
  if (kubectl) {
    const binary = userAgent.slice(0, userAgent.indexOf('/'));
    const minor = Number(kubectl[2]);
    return { kind: 'kubectl', name: `${binary} v${kubectl[1]}.${minor}`, minorVersion: minor };
  }
  const product = clean(userAgent.split(/[/\s]/, 1)[0]);
  const controller = CONTROLLER_SUFFIX.exec(userAgent);
  if (
    controller &&
    /^(hyperkube|kube-controller-manager|cloud-controller-manager)$/.test(product)
  ) {
    return { kind: 'other', name: `kube-controller-manager (${clean(controller[1])})` };
  }
  for (const [pattern, name] of KNOWN) {
    if (pattern.test(userAgent)) return { kind: 'other', name };
  }
  if (/kubernetes\/\$Format/.test(userAgent)) {
    return { kind: 'other', name: `${product} (a client-go program)` };
  }
  return { kind: 'other', name: product || 'an unnamed client' };
}

// The User-Agent is client-chosen: keep it short and printable before it reaches notes.
function clean(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '').slice(0, 80);
}
