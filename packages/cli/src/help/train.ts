import { DEFAULT_LOCAL_CACHE_DIR } from '@modelgate/core';

export const TRAIN_HELP = `Usage: modelgate train --command "CMD" --out M.onnx [options]

Runs a training command (any language, through bash) the way the train action does: claims
GPUs with lock files shared by every runner process on the host, passes params without ever
splicing them into the command, samples GPU utilisation and memory, and writes
modelgate-train.json (params, telemetry, duration, sha256) next to the model.

The command gets:
  MODELGATE_PARAMS_FILE     a JSON file holding the params
  MODELGATE_PARAM_<NAME>    one variable per param (upper case; other characters become _)
  MODELGATE_MODEL_PATH      the absolute path it should write the model to
  CUDA_VISIBLE_DEVICES      the claimed GPUs (with CUDA_DEVICE_ORDER=PCI_BUS_ID); "" for none

Options:
  --command CMD               the training command (required)
  --out PATH                  where the command writes the model, relative to the working
                              directory (required)
  --params P                  params as YAML or JSON text, or @FILE to read them from a file
  --gpus all|N|none           GPUs to claim (default all: every free one)
  --require-gpu               fail (exit 2) when no GPU can be had, instead of running on CPU
  --gpu-wait-minutes N        wait up to N minutes for GPUs other jobs hold (default 0)
  --timeout-minutes N         stop the command and everything it started after N minutes
  --working-directory D       where the command runs (default .)
  --metrics-file PATH         a JSON file of metrics the command writes (kept in the record)
  --cache-paths PATH          a path to restore before and save after the run (repeatable);
                              kept in MODELGATE_CACHE_DIR (default ${DEFAULT_LOCAL_CACHE_DIR})
  --cache-key KEY             the key those paths are saved under
  --telemetry-interval-seconds S   GPU sampling interval (default 5)
  --config PATH               the config file (default: .modelgate.yml, when there is one); its
                              'train:' section gives defaults for every option here (model_path
                              for --out), and a flag overrides it, as an input does in the action

Examples:
  modelgate train --command "python train.py" --out model.onnx --params '{"lr": 0.01, "epochs": 5}'
  modelgate train --config .modelgate.yml --params @params.yaml
  modelgate train --command "Rscript train.R" --out out/model.onnx --gpus 2 --require-gpu
  modelgate train --command "./train.sh" --out model.onnx --params @params.yaml --timeout-minutes 90 \\
    --cache-paths checkpoints --cache-key resnet-v1

GPUs: lock files live in MODELGATE_GPU_LOCK_DIR (default /tmp/modelgate-gpu-locks). Ctrl-C or
SIGTERM stops the command's whole process group and releases the GPUs.

Exit codes: 0 trained; 1 the training command failed, timed out or was cancelled (the message
gives its exit code); 2 bad input or usage, a missing model, or --require-gpu with no GPU;
other: a bug.`;
