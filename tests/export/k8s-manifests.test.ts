// The bundle's Kubernetes manifests against the Kubernetes API's own schemas (kubernetes-models,
// generated from the OpenAPI of Kubernetes 1.27): Deployment, Service, HPA; the KServe
// InferenceService's pod part (KServe's CRD is not in kubernetes-models) as a Pod; and the routes and
// ports they name, asked of the running service.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Pod, Service } from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { exportBundle } from '../../main/export/bundle-writer.ts';
import { ModelService } from '../../main/models/model-service.ts';
import { linkDependencies, type RunningService, sampleModel, startService, tempDir } from './helpers.ts';

let models: ModelService;
let bundle: string;
let service: RunningService;

beforeAll(async () => {
  const dataDir = await tempDir('k8s-data');
  process.env.MODELDOCK_DATA_DIR = dataDir;
  models = new ModelService({ dataDir });
  const info = await models.open(sampleModel);
  bundle = (
    await exportBundle(models, info.modelId, {
      outDir: path.join(await tempDir('k8s'), 'lead'),
      name: 'lead-scoring',
      version: 'v3',
    })
  ).path;
  await linkDependencies(bundle);
  service = await startService(bundle, { METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' });
}, 240_000);

afterAll(async () => {
  await service?.stop();
  await models?.closeAll();
});

async function manifest<T>(file: string): Promise<T> {
  return parseYaml(await readFile(path.join(bundle, 'k8s', file), 'utf8')) as T;
}

type Container = {
  env: { name: string; value?: string }[];
  readinessProbe: { httpGet: { path: string } };
  livenessProbe: { httpGet: { path: string } };
  lifecycle: { preStop: { exec: { command: string[] } } };
};

function envOf(container: Container): Record<string, string | undefined> {
  return Object.fromEntries(container.env.map((entry) => [entry.name, entry.value]));
}

/** The pod's grace period covers the preStop wait plus the drain (SHUTDOWN_TIMEOUT_MS). */
function expectGraceCoversDrain(grace: number, container: Container) {
  const [command, seconds] = container.lifecycle.preStop.exec.command;
  expect(command).toBe('sleep');
  const drain = Number(envOf(container).SHUTDOWN_TIMEOUT_MS) / 1000;
  expect(drain).toBeGreaterThan(0);
  expect(grace).toBeGreaterThanOrEqual(Number(seconds) + drain + 5);
}

describe('Kubernetes manifests', () => {
  it('Deployment, Service and HorizontalPodAutoscaler validate against the Kubernetes schemas', async () => {
    const deployment = new Deployment(await manifest('deployment.yaml'));
    deployment.validate();
    new Service(await manifest('service.yaml')).validate();
    const hpa = new HorizontalPodAutoscaler(await manifest('hpa.yaml'));
    hpa.validate();
    expect(hpa.spec!.scaleTargetRef.name).toBe(deployment.metadata!.name);
    const pod = deployment.spec!.template;
    expectGraceCoversDrain(
      pod.spec!.terminationGracePeriodSeconds!,
      pod.spec!.containers[0] as unknown as Container,
    );
    // A broken manifest does fail (so validate() above means something).
    const broken = await manifest<{ spec: { replicas: unknown } }>('deployment.yaml');
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow();
  });

  it("the KServe InferenceService runs this image as a v2 custom predictor, ready on the model's v2 route", async () => {
    const isvc = await manifest<{
      apiVersion: string;
      kind: string;
      metadata: { name: string; annotations: Record<string, string> };
      spec: {
        predictor: Record<string, unknown> & {
          containers: Container[];
          terminationGracePeriodSeconds: number;
        };
      };
    }>('inferenceservice.yaml');
    expect(isvc.apiVersion).toBe('serving.kserve.io/v1beta1');
    expect(isvc.kind).toBe('InferenceService');
    const { containers, volumes, terminationGracePeriodSeconds, ...extension } = isvc.spec.predictor;
    // The predictor is a pod spec plus KServe's component fields (replicas and scaling).
    new Pod({
      metadata: { name: isvc.metadata.name },
      spec: { containers, volumes, terminationGracePeriodSeconds },
    } as never).validate();
    expect(Object.keys(extension).sort()).toEqual([
      'maxReplicas',
      'minReplicas',
      'scaleMetric',
      'scaleTarget',
    ]);
    const [container] = containers;
    expect(container!.readinessProbe.httpGet.path).toBe('/v2/models/lead-scoring/ready');
    expectGraceCoversDrain(terminationGracePeriodSeconds, container!);

    // The routes the probes name answer on the running service, and the metrics port the annotation names is the one opened.
    for (const route of [container!.readinessProbe.httpGet.path, container!.livenessProbe.httpGet.path]) {
      expect((await fetch(`${service.url}${route}`)).status, route).toBe(200);
    }
    expect(isvc.metadata.annotations['prometheus.io/port']).toBe(envOf(container!).METRICS_PORT);
    const deployment = await manifest<{ spec: { template: { spec: { containers: Container[] } } } }>(
      'deployment.yaml',
    );
    const probe = deployment.spec.template.spec.containers[0]!.readinessProbe.httpGet.path;
    expect((await fetch(`${service.url}${probe}`)).status).toBe(200);
  });
});
