import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useLogout } from 'react-admin';
import { useQueryClient } from '@tanstack/react-query';
import { authToken } from '../providers/authProvider';
import { followChanges, type Change, type LiveState } from './changeStream';

/**
 * The console's resources (react-admin's query keys start with the resource name) that
 * show each kind of change: a booking moves a session's count and a client's balance, a
 * ledger entry every figure of its client.
 */
const RESOURCES_SHOWING: Record<Change['resource'], string[]> = {
    ledger: ['ledger', 'clients'],
    users: ['clients', 'trainers'],
    sessions: ['sessions', 'bookings'],
    bookings: ['bookings', 'sessions', 'clients'],
    purchases: ['purchases', 'clients'],
    packages: ['packages'],
    waitlist: ['waitlist', 'sessions'],
};

/** One burst of changes (a booking writes several rows) refetches each resource once. */
const GATHER_MS = 50;

const LiveStateContext = createContext<LiveState>('connecting');

export const useLiveState = () => useContext(LiveStateContext);

/** Opens the change stream once for the signed-in console and refreshes what each change touches. */
export const LiveUpdates = ({ children }: { children: ReactNode }) => {
    const queryClient = useQueryClient();
    const logout = useLogout();
    // Read at the moment it is needed, so a new logout function never reopens the stream.
    const logoutRef = useRef(logout);
    logoutRef.current = logout;
    const [state, setState] = useState<LiveState>('connecting');

    useEffect(() => {
        const due = new Set<string>();
        let timer: ReturnType<typeof setTimeout> | undefined;
        let refreshing = false;
        // Changes that arrive while a refetch runs wait for it and then refetch once more: invalidating
        // a query mid-flight would cancel it, and a burst of changes could starve it on a busy server.
        const refresh = async () => {
            timer = undefined;
            refreshing = true;
            try {
                while (due.size > 0) {
                    const resources = [...due];
                    due.clear();
                    await Promise.all(resources.map((resource) => queryClient.invalidateQueries({ queryKey: [resource] })));
                }
            } finally {
                refreshing = false;
            }
        };
        const stop = followChanges({
            token: authToken,
            onChange: (change) => {
                for (const resource of RESOURCES_SHOWING[change.resource] ?? []) due.add(resource);
                if (!refreshing) timer ??= setTimeout(() => void refresh(), GATHER_MS);
            },
            onReset: () => void queryClient.invalidateQueries(),
            onState: setState,
            onSignedOut: () => void logoutRef.current(),
        });
        return () => {
            stop();
            clearTimeout(timer);
        };
    }, [queryClient]);

    return <LiveStateContext.Provider value={state}>{children}</LiveStateContext.Provider>;
};
