"""Writes the NPY / NPZ fixtures that npy.test.ts reads, with real numpy.

Run from this folder with Debian's python3 (numpy 1.24): /usr/bin/python3 make-numpy-fixtures.py
The files are committed, so the tests do not need numpy.
"""
import io
import zipfile

import numpy as np

np.save("matrix-f8.npy", np.array([[1.5, -2.0, 0.1], [3.25, 1e-30, 5e-324]], dtype="<f8"))
np.save("vector-f4.npy", np.array([0.1, 0.2, 1 / 3], dtype="<f4"))
np.save("fortran-i4.npy", np.asfortranarray(np.arange(6, dtype="<i4").reshape(3, 2)))
np.save("big-endian-f8.npy", np.array([[1.5, 2.5], [3.5, 4.5]], dtype=">f8"))
np.save("labels-u.npy", np.array(["cat", "dög", "🐍"]))
np.save("bools.npy", np.array([True, False, True]))
np.save("half.npy", np.array([0.5, -2.0, 65504.0, 6e-8], dtype="<f2"))
np.save("int64-big.npy", np.array([1, 2**53 + 1], dtype="<i8"))
np.save(
    "records.npy",
    np.array([(1.5, 3, "a"), (2.5, -4, "bb")], dtype=[("x", "<f8"), ("n", "<i8"), ("name", "<U2")]),
)
np.save("aligned-records.npy", np.zeros(2, dtype=np.dtype([("a", "u1"), ("b", "<f8")], align=True)))
np.save("cube.npy", np.zeros((2, 2, 2)))
np.save("scalar.npy", np.float64(3.0))
np.save("object.npy", np.array([1, "a"], dtype=object), allow_pickle=True)

with open("v2.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([[1.0, 2.0], [3.0, 4.0]]), version=(2, 0))
with open("v3.npy", "wb") as f:
    # Version 3 exists for non-Latin-1 field names.
    np.lib.format.write_array(f, np.array([(1.0,), (2.0,)], dtype=[("größe", "<f8")]), version=(3, 0))

X = np.array([[0.1, 0.2, 0.3], [1.0, 2.0, 3.0], [-1.5, 0.0, 7.0]], dtype="<f4")
y = np.array(["a", "b", "a"])
np.savez("dataset.npz", X=X, y=y, w=np.array([[1.0], [2.0], [3.0]]))
np.savez_compressed("compressed.npz", X=X, y=y)
np.savez("ragged.npz", X=X, y=np.array(["a", "b"]))

# A zip with something other than .npy members, as a hand-made archive might have.
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as archive:
    archive.writestr("README.txt", "not an array")
with open("not-arrays.npz", "wb") as f:
    f.write(buffer.getvalue())
