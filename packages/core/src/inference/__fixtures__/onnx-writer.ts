/**
 * Writes small real ONNX models for tests: the protobuf encoding of onnx.proto3, by hand, for
 * models the committed fixtures do not cover (an ONNX-ML classifier that names its classes as
 * strings). onnxruntime runs them like any export.
 */

type Bytes = Uint8Array;

/** A varint; a negative int64 as its 64-bit two's complement, in ten bytes. */
function varint(value: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(value));
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const concat = (parts: readonly Bytes[]): Buffer => Buffer.concat(parts);
const key = (field: number, wire: number): number[] => varint(field * 8 + wire);
const int = (field: number, value: number): Bytes => Uint8Array.from([...key(field, 0), ...varint(value)]);
const bytes = (field: number, value: Bytes): Bytes =>
  concat([Uint8Array.from([...key(field, 2), ...varint(value.length)]), value]);
const str = (field: number, value: string): Bytes => bytes(field, Buffer.from(value, 'utf8'));
const msg = (field: number, ...parts: Bytes[]): Bytes => bytes(field, concat(parts));
const floats = (field: number, values: readonly number[]): Bytes =>
  bytes(field, new Uint8Array(Float32Array.from(values).buffer));

/** AttributeProto.AttributeType */
enum AttributeType {
  Int = 2,
  String = 3,
  Floats = 6,
  Ints = 7,
  Strings = 8,
}
/** TensorProto.DataType */
enum ElementType {
  Float = 1,
  String = 8,
  Int64 = 7,
}

function attribute(name: string, type: AttributeType, ...values: Bytes[]): Bytes {
  return msg(5, str(1, name), int(20, type), ...values);
}

/** ValueInfoProto of a tensor; a dimension is a number or a symbolic name. */
function tensorInfo(
  field: number,
  name: string,
  element: ElementType,
  shape: ReadonlyArray<number | string>,
): Bytes {
  const dims = shape.map((d) => msg(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  return msg(field, str(1, name), msg(2, msg(1, int(1, element), msg(2, ...dims))));
}

export interface LinearClassifierSpec {
  /** Class labels in output-column order: strings, or integers for classlabels_int64s. */
  readonly classes: readonly string[] | readonly number[];
  /** Per class, its weights over the features (classes × features). */
  readonly coefficients: ReadonlyArray<readonly number[]>;
  readonly intercepts?: readonly number[];
  /** metadata_props of the model. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * An ai.onnx.ml LinearClassifier with a softmax: input `input` float [N, F], outputs `label`
 * ([N], string or int64) and `probabilities` float [N, C].
 */
export function linearClassifier(spec: LinearClassifierSpec): Buffer {
  const features = spec.coefficients[0]?.length ?? 0;
  const classCount = spec.classes.length;
  const textLabels = spec.classes.some((c) => typeof c === 'string');
  const labels = textLabels
    ? attribute('classlabels_strings', AttributeType.Strings, ...spec.classes.map((c) => str(9, String(c))))
    : attribute('classlabels_int64s', AttributeType.Ints, ...spec.classes.map((c) => int(8, Number(c))));
  const node = msg(
    1,
    str(1, 'input'),
    str(2, 'label'),
    str(2, 'probabilities'),
    str(3, 'classifier'),
    str(4, 'LinearClassifier'),
    labels,
    attribute('coefficients', AttributeType.Floats, floats(7, spec.coefficients.flat())),
    attribute('intercepts', AttributeType.Floats, floats(7, spec.intercepts ?? spec.classes.map(() => 0))),
    attribute('post_transform', AttributeType.String, str(4, 'SOFTMAX')),
    attribute('multi_class', AttributeType.Int, int(3, 0)),
    str(7, 'ai.onnx.ml'),
  );
  const graph = msg(
    7,
    node,
    str(2, 'linear_classifier'),
    tensorInfo(11, 'input', ElementType.Float, ['N', features]),
    tensorInfo(12, 'label', textLabels ? ElementType.String : ElementType.Int64, ['N']),
    tensorInfo(12, 'probabilities', ElementType.Float, ['N', classCount]),
  );
  const metadata = Object.entries(spec.metadata ?? {}).map(([k, v]) => msg(14, str(1, k), str(2, v)));
  return concat([
    int(1, 8), // ir_version
    msg(8, str(1, ''), int(2, 13)),
    msg(8, str(1, 'ai.onnx.ml'), int(2, 1)),
    str(2, 'modelgate-tests'),
    graph,
    ...metadata,
  ]);
}
