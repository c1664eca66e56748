// monitoring/ in the bundle: Prometheus alert rules and config that promtool accepts, a Grafana
// dashboard whose queries are valid PromQL, every metric they name served by the running service,
// and a docker-compose.yml (with its `monitoring` profile) valid against the Compose Specification's
// schema (tests/fixtures/compose-spec/, see SOURCE.md there), scraping the port the service serves.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  cli,
  guidePayload,
  linkDependencies,
  postJson,
  type RunningService,
  repoRoot,
  sampleModel,
  startService,
  tempDir,
} from './helpers.ts';

const execFileAsync = promisify(execFile);
const leadCsv = path.join(repoRoot, 'assets', 'data', 'course_lead_scoring.csv');

let work: string;
let bundle: string;
let service: RunningService;

beforeAll(async () => {
  work = await tempDir('monitoring');
  process.env.MODELDOCK_DATA_DIR = path.join(work, 'data');
  const result = await cli([
    'export',
    sampleModel,
    '--out',
    path.join(work, 'bundle'),
    '--name',
    'lead-scoring',
    '--reference',
    leadCsv,
    '--json',
  ]);
  expect(result.code, result.stderr).toBe(0);
  bundle = JSON.parse(result.stdout).path;
  await linkDependencies(bundle);
  service = await startService(bundle);
}, 240_000);

afterAll(async () => {
  await service?.stop();
});

async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync('promtool', args);
    return `${stdout}${stderr}`;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `promtool ${args.join(' ')} failed:\n${failed.stdout ?? ''}${failed.stderr ?? failed.message}`,
    );
  }
}

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

async function dashboard(): Promise<Dashboard> {
  return JSON.parse(await readFile(path.join(bundle, 'monitoring', 'grafana-dashboard.json'), 'utf8'));
}

describe('monitoring/ and the compose monitoring profile', () => {
  it('fills every placeholder of the ModelDock templates (Prometheus and Grafana templating stays)', async () => {
    for (const file of [
      'monitoring/prometheus.yml',
      'monitoring/alerts.yml',
      'monitoring/grafana-dashboard.json',
    ]) {
      const text = await readFile(path.join(bundle, file), 'utf8');
      expect(text, file).not.toMatch(/\{\{[A-Z0-9_]+\}\}/);
      expect(text, file).toContain('lead-scoring');
    }
  });

  it('alert rules and the Prometheus config pass promtool', async () => {
    const rules = await promtool('check', 'rules', path.join(bundle, 'monitoring', 'alerts.yml'));
    expect(rules).toMatch(/SUCCESS: 5 rules found/);
    const alerts = parseYaml(await readFile(path.join(bundle, 'monitoring', 'alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string; for: string }[] }[];
    };
    const byName = new Map(alerts.groups[0]!.rules.map((rule) => [rule.alert, rule]));
    expect(byName.get('ModelInputDrift')).toMatchObject({ for: '30m' });
    expect(byName.get('ModelInputDrift')!.expr).toMatch(/modeldock_input_psi.*> 0\.25/);
    expect([...byName.keys()].sort()).toEqual(
      [
        'ModelHighErrorRate',
        'ModelHighLatencyP99',
        'ModelInputDrift',
        'ModelNotReady',
        'ModelScoreDrift',
      ].sort(),
    );
    expect(await promtool('check', 'config', path.join(bundle, 'monitoring', 'prometheus.yml'))).toMatch(
      /SUCCESS/,
    );
  });

  it("the dashboard's queries are valid PromQL (checked by promtool as recording rules)", async () => {
    const { panels } = await dashboard();
    const titles = panels.map((panel) => panel.title).join(' | ');
    for (const topic of ['Requests', 'Latency', 'Errors', 'Score distribution', 'drift'])
      expect(titles).toMatch(new RegExp(topic, 'i'));
    const exprs = panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    const rulesFile = path.join(work, 'dashboard-queries.yml');
    const rules = exprs.map(
      (expr, index) => `      - record: dashboard:query_${index}\n        expr: ${JSON.stringify(expr)}`,
    );
    await writeFile(rulesFile, `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
    expect(await promtool('check', 'rules', rulesFile)).toMatch(
      new RegExp(`SUCCESS: ${exprs.length} rules found`),
    );
  });

  it('every metric the alerts and the dashboard name is one the service serves', async () => {
    await postJson(`${service.url}/predict`, guidePayload);
    await postJson(`${service.url}/predict`, {});
    const scrape = await (await fetch(`${service.url}/metrics`)).text();
    const served = new Set<string>();
    for (const match of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      served.add(match[1]!);
      if (match[2] === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) served.add(`${match[1]}${suffix}`);
    }
    const alerts = await readFile(path.join(bundle, 'monitoring', 'alerts.yml'), 'utf8');
    const exprs = [
      ...[...alerts.matchAll(/expr: (\|\n(?:\s{10}.*\n)+|.*)/g)].map((match) => match[1]!),
      ...(await dashboard()).panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
    ];
    const named = new Set(
      exprs.flatMap((expr) => [...expr.matchAll(/\b([a-z_][a-z0-9_]*)\{/g)].map((m) => m[1]!)),
    );
    named.delete('up'); // Prometheus's own
    expect(named.size).toBeGreaterThan(6);
    expect([...named].filter((name) => !served.has(name))).toEqual([]);
  });

  it('docker-compose.yml is valid Compose, and its monitoring profile scrapes the metrics port the service opens', async () => {
    const schema = JSON.parse(
      await readFile(path.join(repoRoot, 'tests', 'fixtures', 'compose-spec', 'compose-spec.json'), 'utf8'),
    );
    // The schema names draft-07 by its https address, which Ajv (draft-07 by default) knows as http.
    delete schema.$schema;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const compose = parseYaml(await readFile(path.join(bundle, 'docker-compose.yml'), 'utf8')) as {
      services: Record<
        string,
        { profiles?: string[]; environment?: Record<string, string>; expose?: string[] }
      >;
    };
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    // The schema itself refuses what Compose refuses (so the check above means something).
    expect(validate({ services: { x: { image: 'y', ports: 'not-a-list', profiles: 'monitoring' } } })).toBe(
      false,
    );

    const app = compose.services['lead-scoring']!;
    const prometheus = compose.services.prometheus!;
    expect(prometheus.profiles).toEqual(['monitoring']);
    expect(app.profiles).toBeUndefined();
    const metricsPort = app.environment!.METRICS_PORT!;
    expect(app.expose).toContain(metricsPort);
    const config = parseYaml(await readFile(path.join(bundle, 'monitoring', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    expect(config.scrape_configs[0]!.static_configs[0]!.targets).toEqual([`lead-scoring:${metricsPort}`]);
    // The Kubernetes annotations point Prometheus at the same port, which the Deployment opens.
    const deployment = parseYaml(await readFile(path.join(bundle, 'k8s', 'deployment.yaml'), 'utf8')) as {
      spec: {
        template: {
          metadata: { annotations: Record<string, string> };
          spec: {
            containers: { env: { name: string; value: string }[]; ports: { containerPort: number }[] }[];
          };
        };
      };
    };
    const pod = deployment.spec.template;
    const env = Object.fromEntries(pod.spec.containers[0]!.env.map((entry) => [entry.name, entry.value]));
    expect(pod.metadata.annotations['prometheus.io/port']).toBe(env.METRICS_PORT);
    expect(pod.spec.containers[0]!.ports.map((port) => String(port.containerPort))).toContain(
      env.METRICS_PORT,
    );
  });
});
