import { readFileSync } from 'node:fs';
import { lintWorkflow, formatProblems } from './test/workflow-lint.ts';
const ctx = { root: process.cwd() };
const base = readFileSync('action-templates/model-gated-deploy.yml','utf8');
const wf = readFileSync('workflows/modelgate.yml','utf8');
const pipe = readFileSync('action-templates/model-pipeline.yml','utf8');
const muts: [string,string,string,string][] = [
  ['unknown with', base, "          baseline: registry:production\n", "          baseline: registry:production\n          threshold: 0.9\n"],
  ['bad step output', base, "steps.register.outputs.version", "steps.register.outputs.versoin"],
  ['later step', base, "verdict: ${{ runner.temp }}/verdict/verdict.json\n          registry", "verdict: ${{ steps.deploy.outputs.url }}\n          registry"],
  ['needs output', base, "needs.gate.outputs.passed", "needs.gate.outputs.pass"],
  ['unpinned', base, "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8", "actions/checkout@v5"],
  ['run interp', base, 'run: |\n          cp -- "$MODEL"', 'run: |\n          echo "${{ github.event.head_commit.message }}"\n          cp -- "$MODEL"'],
  ['no comment', base, "contents: read # check out the code; the job that runs the training code can write nothing", "contents: read"],
  ['inputs missing', wf, "inputs.deploy-url", "inputs.deploy-uri"],
  ['required', pipe, "      model-name: my-model # the registry name, `model:` in .modelgate.yml\n", ""],
  ['wf unknown with', pipe, "      deploy-target: server\n", "      deploy-target: server\n      deploy-targ: x\n"],
  ['secret', wf, "secrets.admin-token", "secrets.admin_token"],
  ['top perms', base, "permissions: {}\n", "permissions: write-all\n"],
  ['missing action', base, "actions/register@v1", "actions/registr@v1"],
  ['bad fn', base, "fromJSON", "fromJSON"],
  ['jobs output', wf, "jobs.deploy.outputs.version", "jobs.deploy.outputs.versions"],
];
for (const [name, text, from, to] of muts) {
  if (!text.includes(from)) { console.log(name, 'MUTATION NOT APPLIED'); continue; }
  console.log(name, '=>', formatProblems(lintWorkflow('x.yml', text.replace(from, to), ctx)) || 'NOTHING');
}
