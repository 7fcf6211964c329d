import { defineConfig } from 'vitest/config';

// Served under /app/ by `make run` and by CloudFront; hashed file names under /app/assets/.
export default defineConfig({
  base: '/app/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    target: 'es2020',
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    modulePreload: { polyfill: false },
    // The ticket's QR encoder, imported by the ticket screen alone: its own chunk, named.
    rollupOptions: { output: { manualChunks: { qr: ['uqr'] } } },
  },
  test: { environment: 'node', include: ['tests/**/*.test.ts'] },
});
