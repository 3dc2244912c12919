import { describe, expect, it } from "vitest";
import { LruCache } from "./cache.js";
import { hostAllowed, isLoopback, parseCookies, sameSecret } from "./security.js";

describe("LruCache", () => {
  it("LruCache.get(key, load) loads once for concurrent callers and keeps the value", async () => {
    const cache = new LruCache(100);
    let loads = 0;
    const load = async () => ({ value: ++loads, bytes: 10 });
    const [a, b] = await Promise.all([cache.get("x", load), cache.get("x", load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    expect(await cache.get("x", load)).toBe(1);
    expect(cache.bytes).toBe(10);
  });

  it("LruCache.get drops the least recently used values past its bound, and never keeps one larger than the bound", async () => {
    const cache = new LruCache(25);
    const sized = (v: string, bytes: number) => async () => ({ value: v, bytes });
    await cache.get("a", sized("a", 10));
    await cache.get("b", sized("b", 10));
    await cache.get("a", sized("a2", 10)); // a is now the most recent
    await cache.get("c", sized("c", 10)); // over 25: b goes
    expect(await cache.get("b", sized("b2", 1))).toBe("b2");
    expect(await cache.get("a", sized("a3", 1))).toBe("a");
    expect(cache.bytes).toBeLessThanOrEqual(25);
    expect(await cache.get("huge", sized("h", 100))).toBe("h");
    expect(await cache.get("huge", sized("h2", 100))).toBe("h2");
  });

  it("LruCache.get forgets a failed load, and deletePrefix forgets a run's entries", async () => {
    const cache = new LruCache(100);
    await expect(cache.get("x", async () => Promise.reject(new Error("no")))).rejects.toThrow("no");
    expect(await cache.get("x", async () => ({ value: 2, bytes: 1 }))).toBe(2);
    await cache.get("run1\0a", async () => ({ value: 1, bytes: 5 }));
    await cache.get("run10\0a", async () => ({ value: 1, bytes: 5 }));
    cache.deletePrefix("run1\0");
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe(6);
  });
});

describe("security helpers", () => {
  it("hostAllowed(header, bound) takes this machine's loopback names with any port, nothing else", () => {
    for (const h of ["localhost", "localhost:80", "127.0.0.1:8765", "[::1]:8765", "LOCALHOST"]) expect(hostAllowed(h, "127.0.0.1"), h).toBe(true);
    for (const h of [undefined, "", "evil.example", "localhost.evil.example", "[::1].evil", "127.0.0.2", "127.0.0.1:x", "a:b:c"]) expect(hostAllowed(h, "127.0.0.1"), String(h)).toBe(false);
    expect(hostAllowed("127.0.0.2:1", "127.0.0.2")).toBe(true);
  });

  it("isLoopback, parseCookies and sameSecret", () => {
    expect(["127.0.0.1", "127.1.2.3", "::1", "localhost", "[::1]"].map(isLoopback)).toEqual([true, true, true, true, true]);
    expect(["0.0.0.0", "::", "192.168.1.2", "example.com"].map(isLoopback)).toEqual([false, false, false, false]);
    expect(parseCookies("a=1; featurelens_token=x=y; a=2")).toEqual(new Map([["a", "1"], ["featurelens_token", "x=y"]]));
    expect([sameSecret("abc", "abc"), sameSecret("abd", "abc"), sameSecret("", "abc")]).toEqual([true, false, false]);
  });
});
