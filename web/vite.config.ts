/** Vite build of the web app into web/dist, which `tenure serve` serves at `/`. */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npm run dev:web` proxies the API to a `tenure serve` on 8080.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
