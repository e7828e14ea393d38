#!/usr/bin/env python3
"""Times the nightly financial jobs on seeded data, on one node and on three.

Started by scripts/bench-domain.sh with POSTGRES_* pointing at a database that `fineract-jobs
seed-demo` filled with two identical tenants: one is processed by a single node, the other by
three nodes on the same database. Each figure is the wall time of the job's top-level execution,
from its claim to its end, as the database recorded it (children, chunks and all), and is printed
as `RESULT fineract-jobs <metric> <value> s`.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

BINARY = sys.argv[1]
ONE_NODE_TENANT, THREE_NODE_TENANT = sys.argv[2], sys.argv[3]
JOBS = [("savings_interest_posting", {}), ("loan_cob", {})]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as reply:
        return json.loads(reply.read() or b"{}")


def start_nodes(count):
    nodes = []
    for index in range(count):
        port = free_port()
        env = dict(os.environ, PORT=str(port), NODE_ID=f"bench-node-{index + 1}", LOG_LEVEL="warning",
                   MAX_CONCURRENT_JOBS="10", DB_POOL_SIZE="12")
        log = open(f"/tmp/fineract-jobs-bench-domain-node{index + 1}.log", "w")
        process = subprocess.Popen([BINARY, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
        nodes.append((process, port))
    for process, port in nodes:
        deadline = time.time() + 60
        while True:
            try:
                request(port, "GET", "/health")
                break
            except Exception:
                if process.poll() is not None or time.time() > deadline:
                    sys.exit(f"ERROR a node did not start; see /tmp/fineract-jobs-bench-domain-node*.log")
                time.sleep(0.2)
    return nodes


def stop_nodes(nodes):
    for process, _ in nodes:
        process.send_signal(signal.SIGTERM)
    for process, _ in nodes:
        process.wait(timeout=120)


def run_job(port, tenant, job_type, parameters):
    created = request(port, "POST", "/jobs", {
        "name": f"bench {job_type}", "jobType": job_type, "tenantId": tenant, "parameters": parameters,
        "timeoutSeconds": 3600, "maxRetries": 2})
    execution = request(port, "POST", f"/jobs/{created['id']}/execute")["executionId"]
    while True:
        detail = request(port, "GET", f"/executions/{execution}")
        if detail["status"] not in ("queued", "running"):
            return detail
        time.sleep(0.25)


def seconds(detail):
    from datetime import datetime
    started = datetime.fromisoformat(detail["startedAt"].replace("Z", "+00:00"))
    finished = datetime.fromisoformat(detail["finishedAt"].replace("Z", "+00:00"))
    return (finished - started).total_seconds()


# What a run processed. The two tenants have the same shape (accounts, products, loans and their
# states come from each row's position), so both runs must report the same counts; amounts differ,
# since they follow the rows' ids, which the two tenants do not share.
PROCESSED = ("accounts", "accountsUpdated", "skippedAccounts", "failedAccounts", "postingsInserted", "chunks",
             "selected", "closed", "skippedLocked", "failed")


def comparable(result):
    result = result or {}
    processed = {key: result[key] for key in PROCESSED if key in result}
    if isinstance(processed.get("failed"), dict):
        processed["failed"] = processed["failed"].get("count")
    return processed


def main():
    results = {}
    for node_count, tenant in ((1, ONE_NODE_TENANT), (3, THREE_NODE_TENANT)):
        nodes = start_nodes(node_count)
        try:
            for job_type, parameters in JOBS:
                detail = run_job(nodes[0][1], tenant, job_type, parameters)
                if detail["status"] != "succeeded":
                    print(f"ERROR {job_type} on {node_count} node(s) ended {detail['status']}: {detail.get('error')}")
                    continue
                chunk_nodes = sorted({child.get("nodeId") for child in detail.get("children", []) if child.get("nodeId")})
                print(f"RESULT fineract-jobs {job_type}_{node_count}_node{'s' if node_count > 1 else ''} "
                      f"{seconds(detail):.1f} s")
                print(f"  {len(detail.get('children', []))} chunks ran on {', '.join(chunk_nodes) or 'the parent node'}; "
                      f"result: {json.dumps(detail.get('result'))[:300]}")
                results.setdefault(job_type, []).append(comparable(detail.get("result")))
                sys.stdout.flush()
        finally:
            stop_nodes(nodes)
    for job_type, (one, *three) in results.items():
        if three and three[0] == one:
            print(f"  {job_type}: the three-node run processed what the one-node run did: {json.dumps(one, sort_keys=True)}")
        elif three:
            print(f"ERROR {job_type} three nodes processed {json.dumps(three[0], sort_keys=True)} "
                  f"where one node processed {json.dumps(one, sort_keys=True)}")


if __name__ == "__main__":
    main()
