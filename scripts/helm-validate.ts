/**
 * Offline validation of rendered Helm manifests (scripts/helm-check.sh): every document against
 * its Kubernetes schema (kubernetes-models, and the Prometheus Operator's for ServiceMonitor),
 * then what this chart promises operators, checked on the objects themselves.
 *   node --import tsx scripts/helm-validate.ts rendered.yaml...
 */
import { readFileSync } from 'node:fs';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { ConfigError, loadConfig, unknownSettings } from '../src/config.ts';

type Doc = { apiVersion?: string; kind?: string; metadata?: { name?: string } } & Record<string, unknown>;
type Model = new (doc: never) => { validate(): void };

const MODELS: Record<string, Model> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/Ingress': Ingress,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

const problems: string[] = [];
const check = (ok: boolean, what: string) => {
  if (!ok) problems.push(what);
};

interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
interface Container {
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  resources?: { requests?: object; limits?: object };
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
}
interface DeploymentDoc {
  spec: {
    replicas: number;
    strategy?: { type?: string };
    template: {
      spec: {
        enableServiceLinks?: boolean;
        securityContext?: { runAsNonRoot?: boolean };
        containers: Container[];
      };
    };
  };
}

/**
 * The chart's promises (README "Deploy with Helm"), on its Deployment. Returns the settings the
 * container takes from Secrets by name (their values exist only at run time).
 */
function checkDeployment(file: string, doc: DeploymentDoc): string[] {
  const at = `${file}: Deployment`;
  const pod = doc.spec.template.spec;
  const [container] = pod.containers;
  check(doc.spec.replicas === 1, `${at}: the embedded engine runs one replica`);
  check(doc.spec.strategy?.type === 'Recreate', `${at}: Recreate, so two pods never open the DuckDB file`);
  check(pod.enableServiceLinks === false, `${at}: enableServiceLinks must be false (TAMS_* collisions)`);
  check(pod.securityContext?.runAsNonRoot === true, `${at}: runAsNonRoot`);
  check(container?.securityContext?.readOnlyRootFilesystem === true, `${at}: readOnlyRootFilesystem`);
  check(
    container?.securityContext?.allowPrivilegeEscalation === false,
    `${at}: allowPrivilegeEscalation false`,
  );
  check(container?.readinessProbe?.httpGet?.path === '/ready', `${at}: readiness probe on /ready`);
  check(container?.livenessProbe?.httpGet?.path === '/health', `${at}: liveness probe on /health`);
  check(container?.startupProbe?.httpGet?.path === '/health', `${at}: startup probe on /health`);
  check(
    container?.resources?.requests !== undefined && container.resources.limits !== undefined,
    `${at}: resources`,
  );
  const fromSecrets = (container?.env ?? []).filter((e) => e.valueFrom?.secretKeyRef !== undefined);
  for (const e of container?.env ?? []) {
    check(
      e.valueFrom?.secretKeyRef !== undefined || !/SECRET|PASSWORD|TOKEN|KEY/i.test(e.name),
      `${at}: ${e.name} must come from a Secret`,
    );
  }
  return fromSecrets.map((e) => e.name);
}

/**
 * The rendered settings as the server reads them at start-up: every key a known TAMS_* setting,
 * every value valid, the storage backend list accepted (credentials, named by `*_env`, come from
 * the Secret at run time: placeholders here).
 */
function checkSettings(
  file: string,
  settings: Record<string, string> | undefined,
  backends: string | undefined,
  fromSecrets: readonly string[],
) {
  if (!settings) return;
  const env: Record<string, string> = { ...settings };
  for (const name of fromSecrets) env[name] = 'placeholder';
  delete env.TAMS_STORAGE_BACKENDS_FILE;
  if (backends !== undefined) {
    env.TAMS_STORAGE_BACKENDS = backends;
    for (const entry of JSON.parse(backends) as Record<string, unknown>[]) {
      for (const [key, value] of Object.entries(entry))
        if (key.endsWith('_env')) env[String(value)] = 'placeholder';
    }
  }
  for (const name of unknownSettings(env)) problems.push(`${file}: ${name} is not a tams-server setting`);
  try {
    loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(`${file}: the server would refuse these settings: ${error.problems.join('; ')}`);
  }
}

const seen = new Map<string, number>();
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);
  const kinds = new Set<string>();
  let settings: Record<string, string> | undefined;
  let backends: string | undefined;
  let fromSecrets: string[] = [];
  for (const doc of docs) {
    const key = `${doc.apiVersion}/${doc.kind}`;
    const model = MODELS[key];
    if (!model) {
      problems.push(`${file}: ${key} ${doc.metadata?.name}: no schema to validate it against`);
      continue;
    }
    try {
      new model(doc as never).validate();
    } catch (error) {
      problems.push(
        `${file}: ${key} ${doc.metadata?.name}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    kinds.add(doc.kind as string);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    if (doc.kind === 'Deployment') fromSecrets = checkDeployment(file, doc as unknown as DeploymentDoc);
    if (doc.kind === 'ConfigMap') {
      const data = (doc.data ?? {}) as Record<string, string>;
      for (const name of Object.keys(data)) {
        check(
          !/SECRET|PASSWORD|TOKEN/i.test(name),
          `${file}: ConfigMap ${doc.metadata?.name}: ${name} belongs in a Secret`,
        );
      }
      if (data['storage-backends.json'] !== undefined) backends = data['storage-backends.json'];
      else settings = data;
    }
  }
  checkSettings(file, settings, backends, fromSecrets);
  for (const kind of ['Deployment', 'Service', 'ConfigMap'])
    check(kinds.has(kind), `${file}: no ${kind} rendered`);
  process.stdout.write(`${file}: ${docs.length} manifests (${[...kinds].sort().join(', ')})\n`);
}

if (problems.length > 0) {
  process.stderr.write(
    `helm-validate: ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
  );
  process.exit(1);
}
process.stdout.write(`helm-validate: ${[...seen.values()].reduce((a, b) => a + b, 0)} manifests valid\n`);
