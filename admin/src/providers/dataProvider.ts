import simpleRestProvider from 'ra-data-simple-rest';
import { fetchUtils } from 'react-admin';
import { authToken } from './authProvider';

const httpClient = (url: string, options: fetchUtils.Options = {}) => {
    const token = authToken();
    return fetchUtils.fetchJson(url, {
        ...options,
        user: { authenticated: token !== null, token: `Bearer ${token}` },
    });
};

// Relative, so the same build works behind Vite's dev proxy and when the API serves it at /admin.
export const dataProvider = simpleRestProvider('/api/admin', httpClient);
