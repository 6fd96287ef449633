import { defineConfig } from 'vite';

// The platform serves the built console from its wwwroot (the .NET build copies dist/ there).
// `npm run dev` proxies the API to a running `brain serve` on :8080.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks: { echarts: ['echarts'], leaflet: ['leaflet'] },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/health': 'http://127.0.0.1:8080' } },
});
