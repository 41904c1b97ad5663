import { useEffect, useState } from 'react';
import { usePermissions } from 'react-admin';
import { callApi } from '../commands/studioApi';

/** The studio's policies as the API reports them (GET /api/sessions/allocation-health). */
export interface Policies {
    cancelWindowMinutes: number;
    lowBalanceThreshold: number;
    refundWindowDays: number;
}

let loaded: Promise<Policies> | undefined;

/**
 * Read once per console load, for wording only ("inside the 24-hour window"); the API applies
 * them. Only admins may read them, so a trainer gets none.
 */
export const usePolicies = (): Policies | undefined => {
    const { permissions } = usePermissions<string>();
    const [policies, setPolicies] = useState<Policies>();
    useEffect(() => {
        if (permissions !== 'admin') {
            return;
        }
        loaded ??= callApi<{ data: { policies: Policies } }>('/api/sessions/allocation-health', { method: 'GET' }).then(
            (answer) => answer.data.policies,
        );
        let current = true;
        loaded.then(
            (value) => current && setPolicies(value),
            () => {
                loaded = undefined;
            },
        );
        return () => {
            current = false;
        };
    }, [permissions]);
    return policies;
};

export const hoursOrMinutes = (minutes: number) => (minutes % 60 === 0 ? `${minutes / 60}-hour` : `${minutes}-minute`);
