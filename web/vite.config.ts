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
  // `npm run dev:web` (and `vite preview web`) proxy the API to a `tenure serve` (TENURE_API, default :8080).
  server: { proxy: { '/api': process.env.TENURE_API ?? 'http://127.0.0.1:8080' } },
  preview: { proxy: { '/api': process.env.TENURE_API ?? 'http://127.0.0.1:8080' } },
});
