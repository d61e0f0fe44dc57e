/**
 * The class labels an ONNX model carries, read straight from its protobuf bytes: onnxruntime-node
 * exposes no node attributes, and the project has no protobuf library at run time.
 *
 * ONNX-ML classifiers (LinearClassifier, TreeEnsembleClassifier, SVMClassifier) and ZipMap name
 * their classes, in the order of their probability columns, in a `classlabels_strings` or
 * `classlabels_int64s` attribute. A model may also say so in its metadata_props, under a key
 * {@link METADATA_KEYS} names, as a JSON array or a comma-separated list.
 *
 * Only the few fields on the way are decoded (ModelProto.graph → GraphProto.node →
 * NodeProto.attribute, and ModelProto.metadata_props); everything else, the weights included,
 * is skipped by its length, so a large model costs no more than a small one.
 */

/** Where a model's classes came from, for the evaluation record's notes. */
export interface ModelClasses {
  readonly labels: readonly string[];
  /** E.g. "classlabels_strings of its LinearClassifier node", "metadata_props 'classes'". */
  readonly source: string;
}

/** metadata_props keys that name the classes, in the order of the probability columns. */
const METADATA_KEYS = new Set(['classes', 'class_labels', 'classlabels']);

/** Protobuf field numbers (onnx.proto3), one object per message. */
const Model = { graph: 7, metadataProps: 14 } as const;
const Graph = { node: 1 } as const;
const Node = { opType: 4, attribute: 5 } as const;
const Attribute = { name: 1, ints: 8, strings: 9 } as const;
const Entry = { key: 1, value: 2 } as const;

enum Wire {
  Varint = 0,
  Fixed64 = 1,
  Length = 2,
  Fixed32 = 5,
}

/**
 * The model's class labels, or undefined when it names none, when two nodes name different
 * ones, or when the bytes are not a protobuf this reader follows (onnxruntime has already
 * accepted them, so that is never the user's problem: the labels are then simply not known).
 */
export function modelClasses(bytes: Uint8Array): ModelClasses | undefined {
  try {
    const found: ModelClasses[] = [];
    for (const field of fields(bytes, 0, bytes.length)) {
      if (field.number === Model.graph && field.wire === Wire.Length) {
        for (const node of fields(bytes, field.start, field.end)) {
          if (node.number === Graph.node && node.wire === Wire.Length) {
            const labels = nodeClasses(bytes, node.start, node.end);
            if (labels !== undefined) found.push(labels);
          }
        }
      } else if (field.number === Model.metadataProps && field.wire === Wire.Length) {
        const labels = metadataClasses(bytes, field.start, field.end);
        if (labels !== undefined) found.push(labels);
      }
    }
    const first = found[0];
    if (first === undefined) return undefined;
    const same = found.every((f) => f.labels.join('\u0000') === first.labels.join('\u0000'));
    return same ? first : undefined;
  } catch {
    return undefined;
  }
}

function nodeClasses(bytes: Uint8Array, start: number, end: number): ModelClasses | undefined {
  let opType = 'node';
  let labels: ModelClasses | undefined;
  for (const field of fields(bytes, start, end)) {
    if (field.number === Node.opType && field.wire === Wire.Length) {
      opType = text(bytes, field.start, field.end);
    } else if (field.number === Node.attribute && field.wire === Wire.Length) {
      labels ??= attributeClasses(bytes, field.start, field.end);
    }
  }
  return labels === undefined
    ? undefined
    : { labels: labels.labels, source: `${labels.source} of its ${opType} node` };
}

function attributeClasses(bytes: Uint8Array, start: number, end: number): ModelClasses | undefined {
  let name = '';
  const strings: string[] = [];
  const ints: number[] = [];
  for (const field of fields(bytes, start, end)) {
    if (field.number === Attribute.name && field.wire === Wire.Length) {
      name = text(bytes, field.start, field.end);
    } else if (field.number === Attribute.strings && field.wire === Wire.Length) {
      strings.push(text(bytes, field.start, field.end));
    } else if (field.number === Attribute.ints && field.wire === Wire.Varint) {
      ints.push(field.value);
    } else if (field.number === Attribute.ints && field.wire === Wire.Length) {
      // Packed: varints back to back.
      for (let at = field.start; at < field.end; ) {
        const [value, next] = varint(bytes, at);
        ints.push(value);
        at = next;
      }
    }
  }
  if (name === 'classlabels_strings' && strings.length > 0) return { labels: strings, source: name };
  if (name === 'classlabels_int64s' && ints.length > 0) return { labels: ints.map(String), source: name };
  return undefined;
}

function metadataClasses(bytes: Uint8Array, start: number, end: number): ModelClasses | undefined {
  let key = '';
  let value = '';
  for (const field of fields(bytes, start, end)) {
    if (field.number === Entry.key && field.wire === Wire.Length) key = text(bytes, field.start, field.end);
    if (field.number === Entry.value && field.wire === Wire.Length)
      value = text(bytes, field.start, field.end);
  }
  if (!METADATA_KEYS.has(key.toLowerCase())) return undefined;
  let labels: string[];
  try {
    const parsed: unknown = JSON.parse(value);
    if (!Array.isArray(parsed)) return undefined;
    labels = parsed.map(String);
  } catch {
    labels = value.split(',').map((label) => label.trim());
  }
  if (labels.length < 2 || labels.some((label) => label === '')) return undefined;
  return { labels, source: `metadata_props '${key}'` };
}

interface ProtoField {
  readonly number: number;
  readonly wire: Wire;
  /** The value of a varint field. */
  readonly value: number;
  /** The bytes of a length-delimited field. */
  readonly start: number;
  readonly end: number;
}

/** The fields of the message in bytes [start, end), in order. Throws on bytes that are not protobuf. */
function* fields(bytes: Uint8Array, start: number, end: number): Generator<ProtoField> {
  let at = start;
  while (at < end) {
    const [key, afterKey] = varint(bytes, at);
    const number = Math.floor(key / 8);
    const wire = key % 8;
    at = afterKey;
    if (wire === Wire.Varint) {
      const [value, next] = varint(bytes, at);
      yield { number, wire, value, start: at, end: next };
      at = next;
    } else if (wire === Wire.Length) {
      const [length, next] = varint(bytes, at);
      if (next + length > end) throw new Error('truncated field');
      yield { number, wire, value: length, start: next, end: next + length };
      at = next + length;
    } else if (wire === Wire.Fixed64) {
      at += 8;
    } else if (wire === Wire.Fixed32) {
      at += 4;
    } else {
      throw new Error(`wire type ${wire}`);
    }
  }
  if (at !== end) throw new Error('truncated message');
}

/**
 * A varint at `at` and the index past it, as an int64: past 2^53 it is decoded exactly
 * (a negative int64 is ten bytes of two's complement), then rounded to a double.
 */
function varint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let k = 0; k < 10; k++) {
    const byte = bytes[at + k];
    if (byte === undefined) throw new Error('truncated varint');
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return [k < 7 ? value : wideVarint(bytes, at, k + 1), at + k + 1];
  }
  throw new Error('varint too long');
}

function wideVarint(bytes: Uint8Array, at: number, length: number): number {
  let value = 0n;
  for (let k = length - 1; k >= 0; k--) value = (value << 7n) | BigInt((bytes[at + k] as number) & 0x7f);
  return Number(BigInt.asIntN(64, value));
}

function text(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
}
