import { DEFAULT_DEMO_BOOTSTRAP } from '@modelgate/core';

export const DEMO_HELP = `Usage: modelgate demo [--dir PATH] [--clean] [--serve] [--bootstrap N] [--progress auto|bar|plain]

Runs the whole pipeline locally on the example project (examples/breast-cancer), with no
GitHub, no Python and no GPU, through the same code the actions run:

  1. train a first model with the example's real training script (node train.mjs, params
     from params/baseline.yml), evaluate it, gate it (the first model: --baseline none),
     register it, start the built-in model server (OIP v2 over HTTP and gRPC) and deploy it;
     every deploy's smoke check goes over gRPC with raw tensors, as 'modelgate deploy
     --wire grpc' sends it
  2. train an improved candidate, compare it paired against registry:production (the
     report is written to a file and its table printed), register it, and deploy it with
     a canary (50% of the traffic, then 100%)
  3. train a bad candidate (labels flipped by a bug): the gate fails it, the register step
     refuses it, it is kept in the registry for the record with its failed verdict, and the
     deploy refuses it
  4. ask the live server: the improved model answers

It ends by saying where the reports, the registry and the server are, and writes
demo-state.json (the versions, the refusals and the live answer). Each run starts the story
from an empty registry, so a second run tells it again; --clean deletes the whole folder first.

Options:
  --dir PATH         where the demo writes its files (default .modelgate/demo)
  --clean            delete that folder first and start over
  --serve            keep the model server running at the end (Ctrl-C stops it)
  --bootstrap N      bootstrap resamples for every evaluation and comparison (default ${DEFAULT_DEMO_BOOTSTRAP})
  --progress MODE    bar (a progress bar with an ETA), plain (numbered lines, for CI and logs),
                     or auto (default: bar on a terminal, plain when CI is set or output is piped)
  --verbose          also print what each step logs

Examples:
  npm run demo
  npx modelgate demo --clean
  npx modelgate demo --serve      # then: curl -s http://127.0.0.1:PORT/v2/models/breast-cancer
  npx modelgate demo --dir /tmp/modelgate-demo --bootstrap 300 --progress plain

Exit codes: 0 the story ran as told (the bad candidate blocked, the good one live); 1 a step
did not go as the story expects (the message says which); 2 bad input or usage; other: a bug.`;
