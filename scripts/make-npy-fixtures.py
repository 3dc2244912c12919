"""Writes the .npy fixtures in src/data/fixtures/ with numpy itself, as the oracle for our reader.

    /usr/bin/python3 scripts/make-npy-fixtures.py
"""
import os
import numpy as np

out = os.path.join(os.path.dirname(__file__), "..", "src", "data", "fixtures")
os.makedirs(out, exist_ok=True)


def save(name, a, **kw):
    path = os.path.join(out, name)
    if kw:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, a, **kw)
    else:
        np.save(path, a)


save("f32_2x3.npy", np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
save("f64_vec.npy", np.array([0.1, -2.5, 1e300, np.pi]))
save("u8_2x2x3.npy", np.arange(12, dtype=np.uint8).reshape(2, 2, 3) * 20)
save("i32_vec.npy", np.array([-1, 0, 7, 2147483647], dtype=np.int32))
save("i64_vec.npy", np.array([3, 1, 4, 1, 5], dtype=np.int64))
save("bool_vec.npy", np.array([True, False, True]))
save("scalar_f32.npy", np.float32(2.5).reshape(()))
save("empty_0x4.npy", np.zeros((0, 4), dtype=np.float32))
save("be_f4.npy", np.array([1.5, -2.0, 3.25], dtype=">f4"))
save("v2_f32.npy", np.ones((2, 2), dtype=np.float32), version=(2, 0))
save("fortran_f32.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
save("object.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
save("structured.npy", np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]))
save("u16_vec.npy", np.array([1, 2], dtype=np.uint16))
# Images and labels as a user would save them for `npy:IMAGES,LABELS`.
rng = np.random.default_rng(0)
save("images_nhw_u8.npy", rng.integers(0, 256, size=(6, 4, 5), dtype=np.uint8))
save("images_nchw_f32.npy", (rng.integers(0, 256, size=(6, 3, 4, 5)) / 255).astype(np.float32))
save("labels_i64.npy", np.array([0, 1, 2, 0, 1, 2], dtype=np.int64))
print("wrote", sorted(os.listdir(out)))
