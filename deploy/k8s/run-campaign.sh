#!/usr/bin/env bash
# Runs the nightly campaign on the current kubectl context: a fresh results volume, the indexed fuzz
# job, then (whether shards found bugs or not) the merge-and-report job. The report is left in
# /results/report on the volume: `kubectl cp` it out before the next night starts afresh.
set -euo pipefail
cd "$(dirname "$0")"

kubectl delete -f report-job.yaml --ignore-not-found --wait
kubectl delete -f campaign-job.yaml --ignore-not-found --wait

# Tonight's seed base, fixed once for every shard (and for a pod retried after midnight).
kubectl create configmap sim-campaign-night --from-literal=date="$(date -u +%Y-%m-%d)" --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f campaign-job.yaml

# The job ends Complete (no index failed) or Failed (an index found a bug, or ran out of retries).
until kubectl get job sim-campaign -o jsonpath='{.status.conditions[?(@.status=="True")].type}' | grep -qE 'Complete|Failed'; do
  sleep 30
done

kubectl apply -f report-job.yaml
kubectl wait --for=condition=complete --timeout=30m job/sim-campaign-report
kubectl logs job/sim-campaign-report
