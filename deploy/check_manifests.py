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
DRAINING = ("worker", "sink", "notifier", "gateway")
# What each Deployment's KEDA kafka trigger must watch: (consumer group, topic).
KAFKA_SCALER = {
    "kinfer-worker": ("kinfer-workers", "inference-jobs"),
    "kinfer-notifier": ("kinfer-notifier", "inference-results"),
}
# Environment variables that hold credentials: in Kubernetes only ever from a Secret.
SECRET_ENV = ("KINFER_KAFKA_SASL_PASSWORD", "KINFER_DATABASE_URL", "KINFER_WEBHOOK_SECRET",
              "KINFER_GATEWAY_API_KEY_HASHES")
# The gateway checks callback URLs as the notifier does; these flags must agree between them.
CALLBACK_GUARD_FLAGS = ("--allow-http", "--callback-allow-cidr", "--callback-allow-port")


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


def flag_values(argv, flag):
    """Every value of a repeatable flag, in order."""
    values = []
    for i, token in enumerate(argv):
        if token == flag and i + 1 < len(argv):
            values.append(argv[i + 1])
        elif token.startswith(flag + "="):
            values.append(token.split("=", 1)[1])
    return values


def callback_guard(argv):
    """The callback-URL guard a gateway or notifier command line configures."""
    return {"--allow-http": "--allow-http" in argv,
            "--callback-allow-cidr": sorted(flag_values(argv, "--callback-allow-cidr")),
            "--callback-allow-port": sorted(flag_values(argv, "--callback-allow-port"))}


def env_dict(env):
    """A compose `environment:` as a dict, whichever form it is written in."""
    if isinstance(env, list):  # the `- NAME=value` form
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return dict(env or {})


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
            env = env_dict(services[name].get("environment"))
            problems += notifier_problems(name, argv, env)
        if sub and sub[0] == "gateway":
            svc = services[name]
            env = env_dict(svc.get("environment"))
            problems += gateway_problems(name, argv, env, peers=compose_peers(services))
            database = flag_value(argv, "--database") or env.get("KINFER_DATABASE_URL")
            if database is None or not str(database).startswith(("postgres://", "postgresql://")):
                problems.append(f"{name}: gateway database {database} is not PostgreSQL: every gateway "
                                "instance and the sink must share one database (the default is a per-process SQLite file)")
            sink_databases = {flag_value(as_argv(s.get("command")), "--database")
                              or env_dict(s.get("environment")).get("KINFER_DATABASE_URL")
                              for s in services.values()
                              if is_kinfer_service(s) and as_argv(s.get("command"))[:1] == ["sink"]}
            if database not in sink_databases:
                problems.append(f"{name}: gateway database differs from the sink's ({', '.join(map(str, sink_databases)) or 'no sink'}): "
                                "it must read the results the sink writes")
            api_port = flag_value(argv, "--port") or "8000"
            published = [str(p) for p in svc.get("ports", [])]
            if not any(p.split("/")[0].rsplit(":", 1)[-1] == api_port for p in published):
                problems.append(f"{name}: the API port {api_port} is not published (ports: {published})")
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


def compose_peers(services):
    """What the gateway must agree with, from the compose file's workers and notifier."""
    peers = {"worker_models": set(), "worker_groups": set(), "notifier_guards": []}
    for svc in services.values():
        argv = as_argv(svc.get("command"))
        if not is_kinfer_service(svc):
            continue
        if argv[:1] == ["worker"]:
            peers["worker_models"].update(flag_values(argv, "--model"))
            peers["worker_groups"].add(flag_value(argv, "--group") or env_dict(svc.get("environment")).get("KINFER_GROUP"))
        if argv[:1] == ["notifier"]:
            peers["notifier_guards"].append(callback_guard(argv))
    return peers


def gateway_problems(where, argv, env, peers):
    """A gateway must check API keys, serve its operations port, and agree with the workers and the notifier."""
    problems = []
    if "--no-auth" in argv:
        problems.append(f"{where}: gateway with --no-auth (an open API that binds to 127.0.0.1 only)")
    elif "KINFER_GATEWAY_API_KEY_HASHES" not in env and not flag_values(argv, "--api-key-hash"):
        problems.append(f"{where}: gateway without KINFER_GATEWAY_API_KEY_HASHES or --api-key-hash (it refuses to start)")
    host = flag_value(argv, "--host")
    if host in ("127.0.0.1", "localhost", "::1"):
        problems.append(f"{where}: gateway --host {host} is unreachable from outside its container")
    ops = flag_value(argv, "--http-port") or env.get("KINFER_HTTP_PORT")
    if str(ops) == "0":
        problems.append(f"{where}: gateway operations port turned off: no /readyz, /healthz or /metrics")
    if not env.get("KINFER_BOOTSTRAP_SERVERS") and not flag_value(argv, "--bootstrap-servers"):
        problems.append(f"{where}: gateway without --bootstrap-servers or KINFER_BOOTSTRAP_SERVERS")
    if "--no-model-check" not in argv:
        models = [m.split(":", 1)[0] for m in flag_values(argv, "--model")] or ["digits", "simulated"]
        served = {m.split(":", 1)[0] for m in peers["worker_models"]}
        if served and not set(models) <= served:
            problems.append(f"{where}: gateway admits models {sorted(set(models) - served)} that no worker serves "
                            f"(workers: {sorted(served)}); pass --model for each worker model")
    group = flag_value(argv, "--workers-group") or "kinfer-workers"
    groups = {g for g in peers["worker_groups"] if g}
    if groups and group not in groups:
        problems.append(f"{where}: gateway --workers-group {group} is not the workers' group {sorted(groups)}: "
                        "its estimated wait and back-pressure would read the wrong lag")
    for guard in peers["notifier_guards"]:
        if guard != callback_guard(argv):
            problems.append(f"{where}: gateway callback-URL flags {callback_guard(argv)} differ from the notifier's "
                            f"{guard}: it would accept URLs the notifier refuses, or refuse ones it delivers to")
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

    secret_refs = {}  # (deployment name, env name) -> (secret, key)

    def resolve_env(container, owner=None):
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
                secret_refs[(owner, e["name"])] = (r["name"], r["key"])
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
            env = resolve_env(c, owner=name)
            container_env[name] = env
            argv = as_argv(c.get("args"))
            grace = float(flag_value(argv, "--grace-period-seconds") or 20)
            if spec.get("terminationGracePeriodSeconds", 30) <= grace:
                problems.append(f"{path}: terminationGracePeriodSeconds not longer than --grace-period-seconds {grace}")
            # The preStop hook runs inside terminationGracePeriodSeconds, before SIGTERM.
            pre_stop = pre_stop_seconds(c)
            if pre_stop and spec.get("terminationGracePeriodSeconds", 30) <= grace + pre_stop:
                problems.append(f"{path}: terminationGracePeriodSeconds not longer than the preStop sleep {pre_stop:g} "
                                f"plus --grace-period-seconds {grace:g}")
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

    # The gateway, against the workers, the notifier and the sink of these manifests.
    peers = {"worker_models": set(), "worker_groups": set(), "notifier_guards": []}
    gateways = []
    for name, (path, dep) in deployments.items():
        for c in dep["spec"]["template"]["spec"]["containers"]:
            argv = as_argv(c.get("args"))
            if argv[:1] == ["worker"]:
                peers["worker_models"].update(flag_values(argv, "--model"))
                peers["worker_groups"].add(container_env.get(name, {}).get("KINFER_GROUP"))
            elif argv[:1] == ["notifier"]:
                peers["notifier_guards"].append(callback_guard(argv))
            elif argv[:1] == ["gateway"]:
                gateways.append((name, path, c, argv))
    for name, path, c, argv in gateways:
        problems += gateway_problems(f"{path}: {c['name']}", argv, container_env.get(name, {}), peers)
        sink_db = {secret_refs.get((n, "KINFER_DATABASE_URL")) for n, (_, d) in deployments.items()
                   if any(as_argv(k.get("args"))[:1] == ["sink"] for k in d["spec"]["template"]["spec"]["containers"])}
        own_db = secret_refs.get((name, "KINFER_DATABASE_URL"))
        if own_db is None:
            problems.append(f"{path}: gateway without KINFER_DATABASE_URL from a Secret (the default is a per-pod SQLite file)")
        elif own_db not in sink_db:
            problems.append(f"{path}: gateway KINFER_DATABASE_URL {own_db} is not the sink's {sorted(map(str, sink_db))}")
        if "--database" in argv:
            problems.append(f"{path}: gateway --database on the command line (credentials belong in the Secret)")
        api_port = int(flag_value(argv, "--port") or 8000)
        if api_port not in {p.get("containerPort") for p in c.get("ports", [])}:
            problems.append(f"{path}: gateway API port {api_port} is not a containerPort")

    # Services: their selectors find a Deployment, whose pods have the port they target.
    # One that serves client traffic (not headless) needs a preStop delay, so that the pod
    # leaves the endpoints before it stops accepting connections, and >= 2 replicas.
    hpas = {h["spec"]["scaleTargetRef"]["name"]: (p, h) for _, (p, h) in objects.get("HorizontalPodAutoscaler", {}).items()}

    def min_replicas(dep_name):
        if dep_name in hpas:
            return hpas[dep_name][1]["spec"].get("minReplicas", 1)
        return deployments[dep_name][1]["spec"].get("replicas", 1)

    def selected(selector):
        return [n for n, (_, d) in deployments.items()
                if selector and all(d["spec"]["template"].get("metadata", {}).get("labels", {}).get(k) == v
                                    for k, v in selector.items())]

    for sname, (path, svc) in objects.get("Service", {}).items():
        targets = selected(svc["spec"].get("selector", {}))
        if not targets:
            problems.append(f"{path}: Service {sname} selects no Deployment in {K8S}")
        for dep_name in targets:
            dpath, dep = deployments[dep_name]
            containers = dep["spec"]["template"]["spec"]["containers"]
            ports = {p.get("name") for c in containers for p in c.get("ports", [])} \
                | {p.get("containerPort") for c in containers for p in c.get("ports", [])}
            for port in svc["spec"].get("ports", []):
                if port.get("targetPort", port.get("port")) not in ports:
                    problems.append(f"{path}: Service {sname} targets port {port.get('targetPort')}, "
                                    f"which {dep_name}'s containers do not have")
            if svc["spec"].get("clusterIP") != "None":
                if not all(pre_stop_seconds(c) for c in containers):
                    problems.append(f"{dpath}: {dep_name} serves clients through Service {sname} but has no preStop "
                                    "sleep: connections still routed to it after SIGTERM would be refused")
                if min_replicas(dep_name) < 2:
                    problems.append(f"{dpath}: {dep_name} serves clients through Service {sname} with fewer than "
                                    "2 replicas (replicas or its HPA's minReplicas)")

    # HorizontalPodAutoscalers: a Deployment here, which leaves replicas to it, is not also
    # KEDA's (KEDA makes an HPA of its own), and has the requests its resource metrics need.
    keda_targets = {so["spec"]["scaleTargetRef"]["name"] for _, so in scaled_objects}
    for hname, (path, hpa) in objects.get("HorizontalPodAutoscaler", {}).items():
        ref = hpa["spec"]["scaleTargetRef"]
        if ref.get("kind") != "Deployment" or ref["name"] not in deployments:
            problems.append(f"{path}: scaleTargetRef {ref.get('kind')}/{ref['name']} is not a Deployment in {K8S}")
            continue
        dpath, dep = deployments[ref["name"]]
        if "replicas" in dep["spec"]:
            problems.append(f"{dpath}: sets replicas although {path} owns them (re-applying it would reset the autoscaler)")
        if ref["name"] in keda_targets:
            problems.append(f"{path}: {ref['name']} is also a KEDA ScaledObject's target: two autoscalers would fight")
        if hpa["spec"].get("minReplicas", 1) > hpa["spec"]["maxReplicas"]:
            problems.append(f"{path}: minReplicas above maxReplicas")
        for metric in hpa["spec"].get("metrics", []):
            if metric.get("type") == "Resource":
                resource = metric["resource"]["name"]
                for c in dep["spec"]["template"]["spec"]["containers"]:
                    if resource not in c.get("resources", {}).get("requests", {}):
                        problems.append(f"{dpath}: {c['name']} has no {resource} request, which {path} scales on")

    # PodDisruptionBudgets: select a Deployment, and never block every voluntary eviction.
    for pname, (path, pdb) in objects.get("PodDisruptionBudget", {}).items():
        targets = selected(pdb["spec"].get("selector", {}).get("matchLabels", {}))
        if not targets:
            problems.append(f"{path}: PodDisruptionBudget {pname} selects no Deployment in {K8S}")
        for dep_name in targets:
            min_available = pdb["spec"].get("minAvailable")
            if isinstance(min_available, int) and min_available >= min_replicas(dep_name):
                problems.append(f"{path}: minAvailable {min_available} >= {dep_name}'s minimum replicas: drains would block")
            if pdb["spec"].get("maxUnavailable") in (0, "0%"):
                problems.append(f"{path}: maxUnavailable 0 blocks every drain")

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


def pre_stop_seconds(container):
    """Seconds a container's preStop hook sleeps (exec `sleep N` or the `sleep` handler), else 0."""
    pre_stop = (container.get("lifecycle") or {}).get("preStop") or {}
    if "sleep" in pre_stop:
        return float(pre_stop["sleep"].get("seconds", 0))
    command = as_argv((pre_stop.get("exec") or {}).get("command"))
    if command[:1] in (["sleep"], ["/bin/sleep"], ["/usr/bin/sleep"]) and len(command) == 2:
        return seconds(command[1]) if not command[1].isdigit() else float(command[1])
    if command[:2] in (["sh", "-c"], ["/bin/sh", "-c"]) and len(command) == 3:
        match = re.fullmatch(r"\s*sleep\s+(\d+)\s*", command[2])
        return float(match.group(1)) if match else 0.0
    return 0.0


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
