/**
 * Offline validation of rendered Helm manifests (scripts/helm-check.sh): every document against
 * its Kubernetes schema (kubernetes-models, and the Prometheus Operator's for ServiceMonitor),
 * then what this chart promises operators, checked on the objects themselves.
 *   node --import tsx scripts/helm-validate.ts rendered.yaml[=<pods>]...
 * `=<pods>` says what the render must run: a number of replicas, or `hpa` (an autoscaler).
 */
import { readFileSync } from 'node:fs';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
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
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
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
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  resources?: { requests?: { cpu?: string | number }; limits?: object };
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
}
type Labels = Record<string, string>;
interface AffinityTerm {
  weight?: number;
  podAffinityTerm?: { topologyKey?: string; labelSelector?: { matchLabels?: Labels } };
}
interface DeploymentDoc {
  metadata: { name: string };
  spec: {
    replicas?: number;
    strategy?: {
      type?: string;
      rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
    };
    selector: { matchLabels?: Labels };
    template: {
      metadata: { labels?: Labels };
      spec: {
        enableServiceLinks?: boolean;
        terminationGracePeriodSeconds?: number;
        securityContext?: { runAsNonRoot?: boolean };
        containers: Container[];
        volumes?: { name: string; persistentVolumeClaim?: object; emptyDir?: object }[];
        affinity?: { podAntiAffinity?: { preferredDuringSchedulingIgnoredDuringExecution?: AffinityTerm[] } };
      };
    };
  };
}
interface PdbDoc {
  spec: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    selector?: { matchLabels?: Labels };
  };
}
interface HpaDoc {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: {
      type: string;
      resource?: { name: string; target: { type: string; averageUtilization?: number } };
    }[];
  };
}

/** Every label of `wanted` is on `labels` (and there is at least one). */
const selects = (wanted: Labels | undefined, labels: Labels | undefined): boolean =>
  wanted !== undefined &&
  Object.keys(wanted).length > 0 &&
  Object.entries(wanted).every(([k, v]) => labels?.[k] === v);

/**
 * The chart's promises (docs/operations.md, "Helm chart") on its Deployment that hold for every engine
 * and number of pods. Returns the settings the container takes from Secrets by name (their
 * values exist only at run time).
 */
function checkDeployment(file: string, doc: DeploymentDoc): string[] {
  const at = `${file}: Deployment`;
  const pod = doc.spec.template.spec;
  const [container] = pod.containers;
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
  mounts: readonly string[],
) {
  if (!settings) return;
  const env: Record<string, string> = { ...settings };
  // Long enough for every secret setting's own check (a bootstrap token needs 16 characters);
  // the PostgreSQL URL in the shape the server checks.
  for (const name of fromSecrets)
    env[name] =
      name === 'TAMS_POSTGRES_URL'
        ? 'postgres://tams:placeholder@db.invalid:5432/tams'
        : 'placeholder-from-a-secret';
  if (settings.TAMS_DB === 'postgres')
    check(fromSecrets.includes('TAMS_POSTGRES_URL'), `${file}: TAMS_POSTGRES_URL must come from a Secret`);
  const ca = settings.TAMS_POSTGRES_CA_FILE;
  if (ca !== undefined && ca !== '') {
    // The file exists only in the pod, through a volume mounted over its folder: check the
    // mount, then let a file that exists here stand in for it.
    check(
      mounts.some((m) => ca.startsWith(`${m.replace(/\/$/, '')}/`)),
      `${file}: TAMS_POSTGRES_CA_FILE ${ca} is on no volume the container mounts`,
    );
    env.TAMS_POSTGRES_CA_FILE = import.meta.filename;
  }
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

/** What one render holds, for the checks that look at several objects together. */
interface Rendered {
  deployment?: DeploymentDoc;
  settings?: Record<string, string>;
  backends?: string;
  pvc: boolean;
  pdb?: PdbDoc;
  hpa?: HpaDoc;
}

/**
 * How many pods run and how they are replaced, by engine (docs/operations.md, "Helm chart"): the
 * embedded engine and any pod mounting the data claim run one pod, replaced with Recreate;
 * pods without the claim (VAST, PostgreSQL) roll, never below the pods serving; several pods on them (or an
 * autoscaler) have media on S3 only, the first admin credentials given, a PodDisruptionBudget
 * and anti-affinity over the pods' own labels; every pod drains within its grace period.
 */
function checkPods(file: string, r: Rendered, expected: string | undefined) {
  const { deployment, settings } = r;
  if (!deployment || !settings) return;
  const at = `${file}: Deployment`;
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  const labels = deployment.spec.template.metadata.labels;
  // The shared databases (VAST, PostgreSQL): pods without the claim may be many, and roll.
  const shared = settings.TAMS_DB === 'vast' || settings.TAMS_DB === 'postgres';
  const claim = pod.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim !== undefined;
  const pods = r.hpa ? 'hpa' : String(deployment.spec.replicas);
  if (expected !== undefined) check(pods === expected, `${at}: runs ${pods} pods, expected ${expected}`);
  const scaled = r.hpa !== undefined || (deployment.spec.replicas ?? 1) > 1;
  const strategy = deployment.spec.strategy;

  if (!shared || claim) {
    check(
      deployment.spec.replicas === 1 && !r.hpa,
      `${at}: one pod (${shared ? "the data claim is one pod's" : 'the embedded engine'})`,
    );
    check(
      strategy?.type === 'Recreate',
      `${at}: Recreate, so two pods never open the ${shared ? 'data claim' : 'DuckDB file'}`,
    );
  } else {
    check(
      strategy?.type === 'RollingUpdate' && String(strategy.rollingUpdate?.maxUnavailable) === '0',
      `${at}: RollingUpdate with maxUnavailable 0 (no claim: new pods ready before old ones stop)`,
    );
  }
  if (!shared) check(!r.pvc || claim, `${file}: a PersistentVolumeClaim rendered but not mounted`);
  if (shared && !claim)
    check(!r.pvc, `${file}: a PersistentVolumeClaim rendered for pods that do not mount it`);

  if (r.hpa) {
    const { spec } = r.hpa;
    check(deployment.spec.replicas === undefined, `${at}: no replicas with an autoscaler (it owns them)`);
    check(
      spec.scaleTargetRef.kind === 'Deployment' && spec.scaleTargetRef.name === deployment.metadata.name,
      `${file}: the HorizontalPodAutoscaler scales this Deployment`,
    );
    check((spec.minReplicas ?? 1) <= spec.maxReplicas, `${file}: HPA minReplicas <= maxReplicas`);
    check(
      spec.metrics?.some((m) => m.resource?.name === 'cpu' && m.resource.target.type === 'Utilization') ===
        true,
      `${file}: the HPA targets CPU utilization`,
    );
    check(container?.resources?.requests?.cpu !== undefined, `${at}: a CPU request for the HPA's target`);
  }

  if (scaled) {
    check(shared, `${at}: several pods only on a shared database (VAST, PostgreSQL)`);
    const entries = r.backends === undefined ? [] : (JSON.parse(r.backends) as { kind?: string }[]);
    check(
      entries.length > 0 && entries.every((e) => e.kind !== 'fs'),
      `${file}: several pods need media on S3 only (the fs store is pod-local)`,
    );
    const bootstrap = container?.env?.find((e) => e.name === 'TAMS_BOOTSTRAP_ADMIN_TOKEN');
    check(
      bootstrap?.valueFrom?.secretKeyRef !== undefined ||
        (settings.TAMS_JWT_JWKS_URL ?? '') !== '' ||
        (settings.TAMS_JWT_KEY ?? '') !== '' ||
        settings.TAMS_AUTH === 'none',
      `${at}: several pods need the first admin token from a Secret (or JWTs)`,
    );
    const pdb = r.pdb?.spec;
    check(pdb !== undefined, `${file}: a PodDisruptionBudget for several pods`);
    if (pdb) {
      check(selects(pdb.selector?.matchLabels, labels), `${file}: the PodDisruptionBudget selects the pods`);
      const fewest = r.hpa ? (r.hpa.spec.minReplicas ?? 1) : (deployment.spec.replicas ?? 1);
      check(
        typeof pdb.minAvailable !== 'number' || pdb.minAvailable < fewest,
        `${file}: PodDisruptionBudget minAvailable ${pdb.minAvailable} leaves no pod of ${fewest} to evict`,
      );
    }
    const spread = pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    check(
      spread.some(
        (t) =>
          t.podAffinityTerm?.topologyKey === 'kubernetes.io/hostname' &&
          selects(t.podAffinityTerm.labelSelector?.matchLabels, labels),
      ),
      `${at}: preferred anti-affinity by hostname over the pods' labels`,
    );
  } else {
    check(r.pdb === undefined, `${file}: a PodDisruptionBudget for a single pod`);
  }

  // Drain: the preStop sleep, then the server's own shutdown bound, inside the grace period.
  const sleep = container?.lifecycle?.preStop?.exec?.command;
  const sleepSeconds = sleep?.[0] === 'sleep' ? Number(sleep[1]) : 0;
  const shutdown = Number(settings.TAMS_SHUTDOWN_TIMEOUT_SECONDS ?? 25);
  check(
    (pod.terminationGracePeriodSeconds ?? 30) > sleepSeconds + shutdown,
    `${at}: terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} must exceed the preStop sleep (${sleepSeconds}) + TAMS_SHUTDOWN_TIMEOUT_SECONDS (${shutdown})`,
  );
}

const seen = new Map<string, number>();
for (const arg of process.argv.slice(2)) {
  const [file = arg, expected] = arg.split('=');
  const docs = parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);
  const kinds = new Set<string>();
  const rendered: Rendered = { pvc: false };
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
    if (doc.kind === 'Deployment') {
      rendered.deployment = doc as unknown as DeploymentDoc;
      fromSecrets = checkDeployment(file, rendered.deployment);
    }
    if (doc.kind === 'PersistentVolumeClaim') rendered.pvc = true;
    if (doc.kind === 'PodDisruptionBudget') rendered.pdb = doc as unknown as PdbDoc;
    if (doc.kind === 'HorizontalPodAutoscaler') rendered.hpa = doc as unknown as HpaDoc;
    if (doc.kind === 'ConfigMap') {
      const data = (doc.data ?? {}) as Record<string, string>;
      for (const name of Object.keys(data)) {
        check(
          !/SECRET|PASSWORD|TOKEN/i.test(name) && name !== 'TAMS_POSTGRES_URL',
          `${file}: ConfigMap ${doc.metadata?.name}: ${name} belongs in a Secret`,
        );
      }
      if (data['storage-backends.json'] !== undefined) rendered.backends = data['storage-backends.json'];
      else rendered.settings = data;
    }
  }
  const mounts = (rendered.deployment?.spec.template.spec.containers[0]?.volumeMounts ?? []).map(
    (m) => m.mountPath,
  );
  checkSettings(file, rendered.settings, rendered.backends, fromSecrets, mounts);
  checkPods(file, rendered, expected);
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
