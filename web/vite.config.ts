import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The web app's build: `npm run build` writes it into dist/web/, which `featurelens serve` serves
 * as it is (relative asset paths, so it works under any prefix). `npx vite --config web/vite.config.ts`
 * serves it for development, with /api proxied to a server on port 8731 (FEATURELENS_API to change).
 */
const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "./",
  resolve: {
    // regl without its argument checks (what it recommends for production): they cost ~0.2 s of
    // the first frame on a software GPU.
    alias: [{ find: /^regl$/, replacement: fileURLToPath(new URL("../node_modules/regl/dist/regl.unchecked.js", import.meta.url)) }],
  },
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
  },
  server: {
    proxy: { "/api": process.env.FEATURELENS_API ?? "http://127.0.0.1:8731" },
  },
});
