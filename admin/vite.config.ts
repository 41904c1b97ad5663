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
        // react-admin, MUI, FullCalendar and luxon make a single ~1.6 MB chunk by design; warn only if it grows well beyond that.
        chunkSizeWarningLimit: 1800,
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
