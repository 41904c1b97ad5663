import { useQuery } from '@tanstack/react-query';
import { callApi } from '../commands/studioApi';
import { setStudioTimeZone } from '../dates/formats';

/** The studio's policies as the API reports them; the console only words them, the API applies them. */
export interface Policies {
    cancelWindowMinutes: number;
    lowBalanceThreshold: number;
    refundWindowDays: number;
}

/** GET /api/studio: what every signed-in screen needs to know about the studio. */
export interface Studio {
    name: string;
    timeZone: string;
    policies: Policies;
}

/**
 * Read once per console load; the zone is set for every date format as soon as it arrives.
 * Only StudioGate asks (once signed in); everyone else reads its answer.
 */
export const useStudio = ({ ask = false }: { ask?: boolean } = {}) =>
    useQuery({
        enabled: ask,
        queryKey: ['studio'],
        queryFn: async () => {
            const studio = await callApi<Studio>('/api/studio', { method: 'GET' });
            setStudioTimeZone(studio.timeZone);
            return studio;
        },
        staleTime: Infinity,
    });
