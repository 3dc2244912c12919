import { describe, expect, it } from "vitest";
import { dotsModuleBytes } from "./embed/pcaKernel.js";
import { attractionModuleBytes } from "./embed/tsne/attractionKernel.js";
import { fftSimdModuleBytes } from "./fft/simd.js";
import { simdModuleBytes } from "./neighbors/simd.js";
import { addI, fn, funcType, get, i32, moduleBytes, OP, set, sleb, T, uleb, wasmApi } from "./wasm.js";

const wasm = wasmApi()!;

describe("the WebAssembly module builder", () => {
  it("uleb(n) and sleb(n) encode LEB128 as the spec's examples", () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(300)).toEqual([0xac, 0x02]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-128)).toEqual([0x80, 0x7f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
  });

  it("moduleBytes() builds a module that runs: sum(a, b) stores a + b + 1 at address 0 of the imported memory", () => {
    const bytes = moduleBytes({
      types: [funcType([T.i32, T.i32])],
      memory: { module: "env", name: "memory", min: 1 },
      functions: [{ name: "sum", type: 0, body: fn([[1, T.i32]], [...set(2, addI(get(0), get(1), i32(1))), ...i32(0), ...get(2), OP.i32Store, 2, 0]) }],
    });
    expect(wasm.validate(bytes)).toBe(true);
    const memory = new wasm.Memory({ initial: 1 });
    const { exports } = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
    (exports.sum as (a: number, b: number) => void)(40, 1);
    expect(new Int32Array(memory.buffer, 0, 1)[0]).toBe(42);
  });

  it.each([
    ["neighbors/simd.ts", simdModuleBytes],
    ["embed/pcaKernel.ts", dotsModuleBytes],
    ["fft/simd.ts", fftSimdModuleBytes],
    ["embed/tsne/attractionKernel.ts", attractionModuleBytes],
  ])("the kernel module of %s, built with it, validates", (_file, bytes) => {
    expect(wasm.validate(bytes())).toBe(true);
  });
});
