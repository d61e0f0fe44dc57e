// What the benches' generated data share: a reproducible random stream and the NPY preamble.

/** mulberry32: bench data only needs to be reproducible, not statistically strong. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** NPY v1.0 for a C-order float32 matrix: magic, version, header length, a Python-literal header padded to 64 bytes. */
export function npyPreamble(rows: number, columns: number): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${columns}), }`;
  header += `${' '.repeat(64 - ((10 + header.length + 1) % 64))}\n`;
  const preamble = Buffer.concat([
    Buffer.from([0x93]),
    Buffer.from('NUMPY'),
    Buffer.from([1, 0]),
    Buffer.alloc(2),
    Buffer.from(header, 'latin1'),
  ]);
  preamble.writeUInt16LE(header.length, 8);
  return preamble;
}
