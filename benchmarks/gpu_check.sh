#!/usr/bin/env bash
# The real-GPU check of issue 4, for a session that is lent a CUDA machine (see the
# device tool). Run from the repository root of the copied tree:
#
#     bash benchmarks/gpu_check.sh        # writes its reports under $OUT (or ./gpu-check)
#
# That machine's image has torch with CUDA, typer, rich and jinja2 but no TensorFlow,
# so fwpick runs from the tree (PYTHONPATH=.) and only the PyTorch projects are tried;
# the TensorFlow `env` entry is expected to say "not installed".
set -uo pipefail
out=${OUT:-gpu-check}
mkdir -p "$out"
export PYTHONPATH=.
python=${PYTHON:-python3}
work=$(mktemp -d)

{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true; } > "$out/nvidia-smi.txt" 2>&1
"$python" -m fwpick env --json > "$out/env.json" 2> "$out/env.stderr"
echo "env: exit $?"
for task in regression classification; do
  for device in auto cuda; do
    name="gpu_${task}_${device}"
    "$python" -m fwpick new "$name" -f torch --task "$task" --deployment server \
      --device "$device" --dir "$work" --no-git --json > "$out/new-$task-$device.json" \
      2> "$out/new-$task-$device.stderr"
    echo "new $task --device $device: exit $?"
  done
  # The smoke test again on the same project, timed from outside as a user sees it.
  start=$EPOCHREALTIME
  "$python" -m fwpick smoke "$work/gpu_${task}_auto" --json > "$out/smoke-$task.json" 2>&1
  code=$?
  echo "smoke $task: exit $code in $("$python" -c "print(round($EPOCHREALTIME - $start, 2))") s"
done
"$python" - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
for path in sorted(out.glob("new-*.json")):
    try:
        smoke = json.loads(path.read_text())["smoke"]
    except (ValueError, KeyError, TypeError) as error:
        print(f"{path.name}: no report ({error})")
        continue
    print(f"{path.name}: {smoke['status']} on {smoke['device']}, "
          f"step {smoke.get('step_seconds')} s, seconds {smoke['seconds']}")
PY
