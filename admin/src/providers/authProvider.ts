import { type AuthProvider, fetchUtils } from 'react-admin';

type Role = 'admin' | 'trainer' | 'client';

interface User {
    id: string | number;
    email: string;
    role: Role;
    firstName: string;
    lastName: string;
}

interface LoginResponse {
    token: string;
    user: User;
}

const TOKEN_KEY = 'studio-sessions.token';
const USER_KEY = 'studio-sessions.user';

const STAFF_ROLES: ReadonlySet<Role> = new Set(['admin', 'trainer']);

export const authToken = (): string | null => localStorage.getItem(TOKEN_KEY);

const storedUser = (): User | null => {
    const raw = localStorage.getItem(USER_KEY);
    if (raw === null) {
        return null;
    }
    try {
        return JSON.parse(raw) as User;
    } catch {
        return null;
    }
};

const forget = () => {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(USER_KEY);
};

export const authProvider: AuthProvider = {
    // react-admin's login form names the field `username`; the API knows it as `email`.
    login: async ({ username, password }: { username: string; password: string }) => {
        const { json } = await fetchUtils.fetchJson('/api/auth/login', {
            method: 'POST',
            body: JSON.stringify({ email: username, password }),
        });
        const { token, user } = json as LoginResponse;
        if (!STAFF_ROLES.has(user.role)) {
            throw new Error('This console is for studio staff.');
        }
        localStorage.setItem(TOKEN_KEY, token);
        localStorage.setItem(USER_KEY, JSON.stringify(user));
    },

    logout: async () => {
        forget();
    },

    // `message: false` keeps the login page free of a "please log in" toast on a first visit.
    checkAuth: () => (authToken() ? Promise.resolve() : Promise.reject({ message: false })),

    // 401 means the sign-in ended: expired, or the account was changed (deactivated, re-roled, a new
    // password), which the API refuses on the very next request. react-admin then says why and
    // logs out (which forgets the token). 403 is a staff member lacking a right, who stays logged in.
    checkError: (error: { status?: number; body?: { code?: string } }) => {
        if (error.status === 401) {
            return Promise.reject({
                message:
                    error.body?.code === 'SESSION_ENDED'
                        ? 'Your account was changed by an admin (deactivated, a new role or a new password). Sign in again.'
                        : 'Your sign-in has ended. Sign in again.',
            });
        }
        return Promise.resolve();
    },

    getIdentity: async () => {
        const user = storedUser();
        if (!user) {
            throw new Error('Not logged in.');
        }
        return { id: user.id, fullName: `${user.firstName} ${user.lastName}`, email: user.email };
    },

    getPermissions: async () => storedUser()?.role,
};
