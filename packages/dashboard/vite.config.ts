import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into dist/, which the server serves at `/`. In development (`npx vite`), API calls go to a server
// on :8080.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: { '/api': 'http://localhost:8080', '/rt.js': 'http://localhost:8080' },
  },
});
