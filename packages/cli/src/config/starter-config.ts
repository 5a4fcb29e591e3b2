/**
 * The commented starter configuration `rollgate init` writes: valid as written (a Prometheus
 * source and a local Deployer executor), with the other choices shown in comments. Every
 * commented example is valid once uncommented: an indented one adds to the section it sits in,
 * and a block starting at the left margin (`# executor:`) replaces the section of that name (a
 * test uncomments each one and validates the result). `schema` is the `$schema` path editors
 * complete and check the file with. Every field is described in docs/config.md.
 */
export function starterConfig(service: string, schema?: string): string {
  const name = pathSegment(service);
  return `${schema === undefined ? '' : `# yaml-language-server: $schema=${schema}\n`}# Rollgate configuration: what to watch after a deploy, and how to roll back.
# Full reference: https://github.com/rollgate/rollgate/blob/main/docs/config.md
# Check it with: rollgate config check
# Values may come from the environment: \${NAME}, or \${NAME:-default} when unset or empty
# (inside { } quote them: "\${NAME}"). Secrets (tokens, keys, webhook URLs) are never printed.

# The service being watched: names the audit records, notifications and verified artifacts.
service: ${yamlString(service)}

# Labels that select the service's metrics in every default signal (error rate, p99 latency,
# memory trend, health). Remove it if your metrics carry no such label.
selector:
  job: ${yamlString(service)}

# Overrides of the default contract ("contract" in the reference). Omit for the defaults:
# a 10 minute bake, a 15 s cold-start window, alpha 0.01 per deploy, 5 s evaluation step.
# A signals list replaces the four default signals: see "A full contract" in the reference.
contract:
  bakeSeconds: 600
  stepSeconds: 5
  # alpha: 0.01
  # promotion: { inconclusive: extend, extendSeconds: 300, maxExtensions: 2 }
  # verification: { windowSeconds: 120 }

# Where the metrics come from, by name. Signals read the source named "default" (or the only one).
sources:
  default:
    type: prometheus
    url: \${PROMETHEUS_URL:-http://127.0.0.1:9090}
    # auth: { type: bearer, token: "\${PROMETHEUS_TOKEN}" }
    # headers: { X-Scope-OrgID: team-a }
    # metrics: { requests: http_requests_total, statusLabel: code, latencyHistogram: http_request_duration_seconds }
  # newrelic:
  #   type: newrelic
  #   accountId: \${NEW_RELIC_ACCOUNT_ID}
  #   apiKey: \${NEW_RELIC_API_KEY}
  #   region: us

# How to put traffic back on the last verified artifact: switch current in a Deployer
# deploy_path on this machine.
executor:
  type: deployer
  mode: local
  deployPath: /var/www/${name}
  # gate: { urls: [https://app.example.com/healthz], consecutive: 3, timeoutMs: 60000 }
# Or run your own \`dep rollback\` (replace the executor above with this):
# executor:
#   type: deployer
#   mode: command
#   selector: stage=prod
#   dep: vendor/bin/dep
# Or a Kubernetes Deployment:
# executor:
#   type: kubernetes
#   namespace: shop
#   deployment: ${kubernetesName(service)}

# Snapshots (resume after a crash), the audit log, the signed verified artifacts and the
# signing key live here (relative to this file).
state:
  dir: .rollgate
  # keep: 5
  # signing: { type: hmac, secret: "\${ROLLGATE_SIGNING_SECRET}" }   # default: ed25519, key in dir/keys

# Where outcomes go. Failed notifications never change a decision.
notify: []
# To send them, replace the line above with a list:
# notify:
#   - type: slack
#     url: \${SLACK_WEBHOOK_URL}
#     kinds: [page, alert, incident]
#   - type: pagerduty
#     routingKey: \${PAGERDUTY_ROUTING_KEY}
#   - type: json
#     url: https://hooks.example.com/rollgate
#     headers: { Authorization: "Bearer \${HOOK_TOKEN}" }

guardrails:
  dryRun: false                    # true: evaluate and audit, never act
  cooldownSeconds: 1800            # no second automatic rollback of the service within this time
  # killSwitchFile: /etc/rollgate/STOP   # while this file exists, Rollgate acts on nothing
`;
}

function yamlString(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value) ? value : JSON.stringify(value);
}

function pathSegment(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]+/g, '-') || 'app';
}

/** A Kubernetes object name (lowercase letters, digits, "-"), for the example Deployment. */
function kubernetesName(value: string): string {
  return (
    value
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63) || 'app'
  );
}
