# Sourced by the shell scripts that need a throwaway moto_server (try-local, benchmarks).
# start_moto: starts moto_server on a free loopback port, waits until it answers, exports the
#   AWS_* variables that point the SDK (and bin/flywheel invoke) at it, and stops it on exit.
# moto_create_glue_job NAME [MAX_CONCURRENT_RUNS]: creates a Glue job.
# moto_api PATH JSON: POSTs to moto's own API (/moto-api/...).

[ -d "$HOME/.pyenv/shims" ] && export PATH="$HOME/.pyenv/shims:$PATH"

start_moto() {
  command -v moto_server >/dev/null || { echo "moto_server is not installed: pip install 'moto[server]==5.2.1'" >&2; exit 1; }
  MOTO_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  MOTO_PORT=$MOTO_PORT moto_server -H 127.0.0.1 -p "$MOTO_PORT" >/dev/null 2>&1 &
  MOTO_PID=$!
  trap 'kill $MOTO_PID 2>/dev/null || true' EXIT
  local _
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$MOTO_PORT/moto-api/" >/dev/null && break; sleep 0.1; done
  export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT" AWS_REGION=us-east-1 \
         AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
}

moto_api() {
  curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$AWS_ENDPOINT_URL$1" >/dev/null
}

moto_create_glue_job() {
  # moto does not check signatures; the header only has to name the service and region.
  curl -sf -X POST "$AWS_ENDPOINT_URL/" \
    -H 'Content-Type: application/x-amz-json-1.1' -H 'X-Amz-Target: AWSGlue.CreateJob' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/glue/aws4_request, SignedHeaders=host, Signature=local' \
    -d "{\"Name\":\"$1\",\"Role\":\"local\",\"Command\":{\"Name\":\"glueetl\",\"ScriptLocation\":\"s3://scripts/$1.py\"},\"ExecutionProperty\":{\"MaxConcurrentRuns\":${2:-1}}}" >/dev/null
}
