import simpleRestProvider from 'ra-data-simple-rest';
import { httpClient } from '../commands/studioApi';

// Relative, so the same build works behind Vite's dev proxy and when the API serves it at /admin.
export const dataProvider = simpleRestProvider('/api/admin', httpClient);
