#!/usr/bin/env python3
"""Static checks for kinfer's deployment files; called by deploy/check.sh.

  check_manifests.py yaml         every YAML file parses (multi-document aware)
  check_manifests.py compose      docker-compose.yml structure and start-up order
  check_manifests.py kubernetes   deploy/kubernetes + deploy/keda consistency
  check_manifests.py commands     print each `kinfer` command line used (TSV:
                                  where, subcommand path, flags)
Run from the repository root. Exit status 1 on any problem, printed one per line.
"""
import glob
import os
import re
import shlex
import sys

import yaml

COMPOSE = "docker-compose.yml"
K8S = "deploy/kubernetes"
KEDA = "deploy/keda"
PROMETHEUS = "deploy/prometheus/prometheus.yml"
LONG_RUNNING = lambda svc: svc.get("restart", "no") != "no"
# kinfer subcommands that drain on SIGTERM within --grace-period-seconds (default 20).
DRAINING = ("worker", "sink", "notifier")
# What each Deployment's KEDA kafka trigger must watch: (consumer group, topic).
KAFKA_SCALER = {
    "kinfer-worker": ("kinfer-workers", "inference-jobs"),
    "kinfer-notifier": ("kinfer-notifier", "inference-results"),
}
# Environment variables that hold credentials: in Kubernetes only ever from a Secret.
SECRET_ENV = ("KINFER_KAFKA_SASL_PASSWORD", "KINFER_DATABASE_URL", "KINFER_WEBHOOK_SECRET")


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def yaml_files():
    files = sorted(set(glob.glob("deploy/**/*.yml", recursive=True)
                       + glob.glob("deploy/**/*.yaml", recursive=True)))
    return [COMPOSE] + files


def seconds(value):
    """'30s', '1m30s', 30 -> seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    total, rest = 0.0, str(value)
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", rest):
        total += float(number) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[unit]
    return total


def flag_value(argv, flag):
    for i, token in enumerate(argv):
        if token == flag and i + 1 < len(argv):
            return argv[i + 1]
        if token.startswith(flag + "="):
            return token.split("=", 1)[1]
    return None


# ----------------------------------------------------------------- yaml
def check_yaml():
    problems = []
    for path in yaml_files():
        try:
            docs = load_all(path)
            print(f"  ok  {path} ({len(docs)} document{'s' if len(docs) != 1 else ''})")
            if not docs:
                problems.append(f"{path}: no YAML documents")
        except (yaml.YAMLError, OSError) as error:
            problems.append(f"{path}: {error}")
    return problems


# --------------------------------------------------------- command lines
def as_argv(command):
    if command is None:
        return []
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def is_kinfer_service(svc):
    image = str(svc.get("image", ""))
    build = svc.get("build")
    dockerfile = build.get("dockerfile", "") if isinstance(build, dict) else ""
    return image.split(":")[0].endswith("kinfer") or dockerfile.endswith("deploy/Dockerfile")


def k8s_containers():
    for path in sorted(glob.glob(f"{K8S}/*.yaml")):
        for doc in load_all(path):
            spec = (doc.get("spec") or {}).get("template", {}).get("spec", {})
            for c in spec.get("containers", []) + spec.get("initContainers", []):
                yield path, doc, c


def kinfer_command_lines():
    """(where, [subcommand words], [flags]) for every kinfer invocation."""
    lines = []
    compose = load_all(COMPOSE)[0]
    for name, svc in compose["services"].items():
        if is_kinfer_service(svc):
            lines.append((f"{COMPOSE}:{name}", as_argv(svc.get("command"))))
    for path, _doc, c in k8s_containers():
        if str(c.get("image", "")).split(":")[0].split("/")[-1] == "kinfer":
            argv = as_argv(c.get("command")) + as_argv(c.get("args"))
            if argv and argv[0] in ("kinfer", "/usr/local/bin/kinfer"):
                argv = argv[1:]
            lines.append((f"{path}:{c['name']}", argv))
    result = []
    for where, argv in lines:
        sub = []
        for token in argv:
            if token.startswith("-"):
                break
            sub.append(token)
        flags = sorted({t.split("=", 1)[0] for t in argv if t.startswith("--")})
        result.append((where, sub, flags))
    return result


def print_commands():
    for where, sub, flags in kinfer_command_lines():
        print(f"{where}\t{' '.join(sub)}\t{' '.join(flags)}")
    return []


# -------------------------------------------------------------- compose
def check_compose():
    problems = []
    compose = load_all(COMPOSE)[0]
    services = compose["services"]
    for name, svc in services.items():
        if LONG_RUNNING(svc) and "healthcheck" not in svc:
            problems.append(f"{name}: long-running service without a healthcheck")
        for dep, cond in (svc.get("depends_on") or {}).items():
            if dep not in services:
                problems.append(f"{name}: depends_on unknown service {dep}")
                continue
            condition = (cond or {}).get("condition")
            expected = "service_healthy" if LONG_RUNNING(services[dep]) else "service_completed_successfully"
            if condition != expected:
                problems.append(f"{name}: depends_on {dep} should use condition {expected}, has {condition}")
    kafka = [n for n, s in services.items() if str(s.get("image", "")).startswith("apache/kafka")]
    if not kafka:
        problems.append("no apache/kafka service")
    for n in kafka:
        env = services[n].get("environment", {})
        for key in ("KAFKA_NODE_ID", "KAFKA_PROCESS_ROLES", "KAFKA_CONTROLLER_QUORUM_VOTERS",
                    "KAFKA_LISTENERS", "KAFKA_ADVERTISED_LISTENERS", "KAFKA_CONTROLLER_LISTENER_NAMES",
                    "KAFKA_INTER_BROKER_LISTENER_NAME", "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CLUSTER_ID"):
            if key not in env:
                problems.append(f"{n}: missing {key}")
        voters = str(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS", ""))
        if f"{env.get('KAFKA_NODE_ID')}@{n}:" not in voters:
            problems.append(f"{n}: node id {env.get('KAFKA_NODE_ID')} not in quorum voters {voters}")
        if "kafka-broker-api-versions.sh" not in str(services[n].get("healthcheck", {}).get("test")):
            problems.append(f"{n}: health check should use kafka-broker-api-versions.sh")
    if len({str(services[n].get("environment", {}).get("KAFKA_NODE_ID")) for n in kafka}) != len(kafka):
        problems.append("kafka node ids are not unique")
    replication = len(kafka)
    for where, sub, _ in kinfer_command_lines():
        if not where.startswith(COMPOSE):
            continue
        name = where.split(":", 1)[1]
        argv = as_argv(services[name].get("command"))
        if sub == ["topics", "create"]:
            rf = flag_value(argv, "--replication-factor")
            if rf is None or int(rf) > replication:
                problems.append(f"{name}: --replication-factor {rf} with {replication} brokers")
        grace = flag_value(argv, "--grace-period-seconds")
        if sub and sub[0] in DRAINING:
            grace_s = float(grace) if grace else 20.0
            stop = seconds(services[name].get("stop_grace_period", "10s"))
            if stop <= grace_s:
                problems.append(f"{name}: stop_grace_period {stop}s not longer than grace period {grace_s}s")
        if sub and sub[0] == "notifier":
            env = services[name].get("environment") or {}
            if isinstance(env, list):  # the `- NAME=value` form
                env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
            problems += notifier_problems(name, argv, env)
    prom_targets = scrape_targets()
    for name, svc in services.items():
        if is_kinfer_service(svc) and LONG_RUNNING(svc):
            host = svc.get("hostname", name)
            port = flag_value(as_argv(svc.get("command")), "--http-port") or "8080"
            if f"{host}:{port}" not in prom_targets:
                problems.append(f"{name}: {host}:{port} is not a scrape target in {PROMETHEUS}")
    prom = [s for s in services.values() if str(s.get("image", "")).startswith("prom/prometheus")]
    if not prom or not any("deploy/prometheus" in str(v) for v in prom[0].get("volumes", [])):
        problems.append("prometheus service does not mount deploy/prometheus")
    return problems


def scrape_targets():
    config = load_all(PROMETHEUS)[0]
    return {t for job in config.get("scrape_configs", [])
            for sc in job.get("static_configs", []) for t in sc.get("targets", [])}


def notifier_problems(where, argv, env):
    """A notifier must be able to sign, and finish an attempt within its drain."""
    problems = []
    if "KINFER_WEBHOOK_SECRET" not in env:
        problems.append(f"{where}: notifier without KINFER_WEBHOOK_SECRET (it signs every callback)")
    grace = float(flag_value(argv, "--grace-period-seconds") or 20)
    timeout = float(flag_value(argv, "--timeout-ms") or 10000) / 1000
    if timeout >= grace:
        problems.append(f"{where}: --timeout-ms {timeout:g}s not shorter than --grace-period-seconds {grace:g}: "
                        "an attempt in flight at SIGTERM could not finish")
    return problems


# ----------------------------------------------------------- kubernetes
def topic_partitions():
    for where, sub, _ in kinfer_command_lines():
        if sub == ["topics", "create"] and where.startswith(COMPOSE):
            svc = load_all(COMPOSE)[0]["services"][where.split(":", 1)[1]]
            value = flag_value(as_argv(svc.get("command")), "--partitions")
            return int(value) if value else None
    return None


def check_kubernetes():
    problems = []
    kust = load_all(f"{K8S}/kustomization.yaml")[0]
    for resource in kust.get("resources", []):
        if not os.path.exists(os.path.join(K8S, resource)):
            problems.append(f"kustomization.yaml: resource {resource} does not exist")
    objects, scaled_objects = {}, []
    for path in sorted(glob.glob(f"{K8S}/*.yaml")) + sorted(glob.glob(f"{KEDA}/*.yaml")):
        for doc in load_all(path):
            if "kind" in doc and doc["kind"] != "Kustomization":
                if "namespace" in doc.get("metadata", {}):
                    problems.append(f"{path}: {doc['kind']} sets a namespace (manifests are namespace-agnostic)")
                objects.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = (path, doc)
                if doc["kind"] == "ScaledObject":
                    # scaledobject-kafka.yaml and scaledobject-prometheus.yaml both define
                    # `kinfer-worker` (alternatives): check each one, not only the last read.
                    scaled_objects.append((path, doc))
    configmaps = {n: d.get("data", {}) for n, (_, d) in objects.get("ConfigMap", {}).items()}
    secrets = {n: {**d.get("stringData", {}), **d.get("data", {})} for n, (_, d) in objects.get("Secret", {}).items()}

    def resolve_env(container):
        env = {}
        for e in container.get("env", []):
            if "value" in e:
                if e["name"] in SECRET_ENV:
                    problems.append(f"{container['name']}: {e['name']} is a literal value, not a secretKeyRef")
                env[e["name"]] = e["value"]
                continue
            ref = e.get("valueFrom", {})
            if "configMapKeyRef" in ref:
                r = ref["configMapKeyRef"]
                if r["key"] not in configmaps.get(r["name"], {}):
                    problems.append(f"{container['name']}: {e['name']} -> missing ConfigMap key {r['name']}/{r['key']}")
                env[e["name"]] = configmaps.get(r["name"], {}).get(r["key"])
            elif "secretKeyRef" in ref:
                r = ref["secretKeyRef"]
                if r["key"] not in secrets.get(r["name"], {}):
                    problems.append(f"{container['name']}: {e['name']} -> missing Secret key {r['name']}/{r['key']}")
                env[e["name"]] = "<secret>"
        return env

    deployments = objects.get("Deployment", {})
    container_env = {}
    for name, (path, dep) in deployments.items():
        pod = dep["spec"]["template"]
        spec = pod["spec"]
        annotations = pod.get("metadata", {}).get("annotations", {})
        if annotations.get("prometheus.io/scrape") != "true" or "prometheus.io/port" not in annotations:
            problems.append(f"{path}: missing prometheus.io scrape annotations")
        if not spec.get("securityContext", {}).get("runAsNonRoot"):
            problems.append(f"{path}: pod securityContext.runAsNonRoot is not true")
        for c in spec["containers"]:
            env = resolve_env(c)
            container_env[name] = env
            argv = as_argv(c.get("args"))
            grace = float(flag_value(argv, "--grace-period-seconds") or 20)
            if spec.get("terminationGracePeriodSeconds", 30) <= grace:
                problems.append(f"{path}: terminationGracePeriodSeconds not longer than --grace-period-seconds {grace}")
            if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
                problems.append(f"{path}: readinessProbe is not GET /readyz")
            if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
                problems.append(f"{path}: livenessProbe is not GET /healthz")
            res = c.get("resources", {})
            if not res.get("requests") or not res.get("limits"):
                problems.append(f"{path}: {c['name']} lacks resource requests or limits")
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{path}: {c['name']} allows privilege escalation")
            if env.get("KINFER_HTTP_PORT") and str(annotations.get("prometheus.io/port")) != str(env["KINFER_HTTP_PORT"]):
                problems.append(f"{path}: prometheus.io/port differs from KINFER_HTTP_PORT")
            if argv[:1] == ["notifier"]:
                problems += notifier_problems(f"{path}: {c['name']}", argv, env)

    partitions = topic_partitions()
    for path, so in scaled_objects:
        target = so["spec"]["scaleTargetRef"]["name"]
        if target not in deployments:
            problems.append(f"{path}: scaleTargetRef {target} is not a Deployment in {K8S}")
        elif "replicas" in deployments[target][1]["spec"]:
            problems.append(f"{deployments[target][0]}: sets replicas although {path} owns them "
                            "(re-applying it would reset the autoscaler)")
        max_replicas = so["spec"].get("maxReplicaCount", 100)
        if partitions is not None and max_replicas > partitions:
            problems.append(f"{path}: maxReplicaCount {max_replicas} > {partitions} partitions")
        env = container_env.get(target, {})
        for trigger in so["spec"]["triggers"]:
            meta = trigger.get("metadata", {})
            for key in ("bootstrapServersFromEnv", "consumerGroupFromEnv", "topicFromEnv"):
                if key in meta and meta[key] not in env:
                    problems.append(f"{path}: {key} {meta[key]} is not set in {target}'s env")
            if trigger["type"] == "kafka":
                group = env.get(meta["consumerGroupFromEnv"]) if "consumerGroupFromEnv" in meta else meta.get("consumerGroup")
                expected_group, expected_topic = KAFKA_SCALER.get(target, (None, None))
                if expected_group is None:
                    problems.append(f"{path}: kafka trigger for {target}, which has no expected group/topic in KAFKA_SCALER")
                elif group != expected_group:
                    problems.append(f"{path}: kafka trigger group is {group}, expected {expected_group}")
                if expected_topic is not None and meta.get("topic") != expected_topic:
                    problems.append(f"{path}: kafka trigger topic is {meta.get('topic')}, expected {expected_topic}")
                if meta.get("limitToPartitionsWithLag") == "true" and meta.get("allowIdleConsumers") == "true":
                    problems.append(f"{path}: limitToPartitionsWithLag cannot be combined with allowIdleConsumers")
            if trigger["type"] == "prometheus" and "kinfer_consumer_lag" in meta.get("query", "") \
                    and so["spec"].get("minReplicaCount", 0) < 1:
                problems.append(f"{path}: Prometheus lag scaler with minReplicaCount 0 can never scale up from zero")
            ref = trigger.get("authenticationRef", {}).get("name")
            if ref and ref not in objects.get("TriggerAuthentication", {}):
                problems.append(f"{path}: authenticationRef {ref} not defined")
    for name, (path, ta) in objects.get("TriggerAuthentication", {}).items():
        for ref in ta["spec"].get("secretTargetRef", []):
            if ref["key"] not in secrets.get(ref["name"], {}):
                problems.append(f"{path}: {name} uses missing Secret key {ref['name']}/{ref['key']}")
    return problems


def main():
    action = sys.argv[1] if len(sys.argv) > 1 else ""
    actions = {"yaml": check_yaml, "compose": check_compose,
               "kubernetes": check_kubernetes, "commands": print_commands}
    if action not in actions:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        problems = actions[action]()
    except Exception as error:  # a malformed manifest is a failure, not a crash
        problems = [f"{type(error).__name__}: {error}"]
    for p in problems:
        print(f"  problem: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
