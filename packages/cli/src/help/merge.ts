export const MERGE_HELP = `Usage: modelgate merge PART.json… [--out E.json]

Merges the part records that 'modelgate evaluate … --shard K/N' wrote (one per job of a
matrix) into one modelgate/evaluation@1 record: the record the unsharded evaluate gives,
metrics, bootstrap intervals, slices and confusion matrix alike. The parts must come from one
model, one data file, one seed and one --shard count, and every part 1…N must be there once.

Input:
  PART.json…            the part files, or folders whose .json files are the parts
Options:
  --parts PATH          a part file or folder (repeatable; the same as an argument)
  --out PATH            where to write the record (default: print it to stdout)
  --config PATH         the config file, as every command takes it; merge reads no section of it

Examples:
  modelgate merge part-1.json part-2.json part-3.json --out eval.json
  modelgate merge parts/ --out eval.json

Exit codes: 0 written; 2 bad input or usage (parts that do not belong together, a missing or
duplicated part: one 'modelgate: error:' line names it); other: a bug.`;
