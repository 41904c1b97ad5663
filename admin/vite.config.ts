import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
    root: fileURLToPath(new URL('.', import.meta.url)),
    // The API serves the built console under /admin, so asset URLs must carry that prefix.
    base: '/admin/',
    plugins: [react()],
    build: {
        outDir: 'dist',
        emptyOutDir: true,
        // react-admin and MUI make a single ~1.1 MB chunk by design; warn only if it grows well beyond that.
        chunkSizeWarningLimit: 1500,
    },
    server: {
        proxy: {
            '/api': {
                target: process.env.API_URL ?? 'http://localhost:3000',
                changeOrigin: true,
            },
        },
    },
});
