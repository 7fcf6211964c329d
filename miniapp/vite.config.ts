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
  },
  test: { environment: 'node', include: ['tests/**/*.test.ts'] },
});
