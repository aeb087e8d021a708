#!/usr/bin/env bash
# Runs the nightly mutation job on the current kubectl context (image: deploy/mutation.Dockerfile): the
# indexed job over the folders of src/, then (whatever the shards' outcome) the scoring job. The reports
# stay in /results/mutation on the volume: `kubectl cp` them out before the next night starts afresh.
set -euo pipefail
cd "$(dirname "$0")"

kubectl delete -f mutation-score-job.yaml --ignore-not-found --wait
kubectl delete -f mutation-job.yaml --ignore-not-found --wait
kubectl apply -f mutation-job.yaml

until kubectl get job sim-mutation -o jsonpath='{.status.conditions[?(@.status=="True")].type}' | grep -qE 'Complete|Failed'; do
  sleep 60
done

kubectl apply -f mutation-score-job.yaml
kubectl wait --for=condition=complete --timeout=30m job/sim-mutation-score
kubectl logs job/sim-mutation-score
