import { Chip, Tooltip } from '@mui/material';
import { useLiveState } from './LiveUpdates';
import type { LiveState } from './changeStream';

const SHOWN: Record<LiveState, { label: string; title: string; color: 'success' | 'default' | 'warning' }> = {
    live: { label: 'Live', title: 'Changes made anywhere appear here as they happen.', color: 'success' },
    connecting: { label: 'Connecting…', title: 'Opening the live connection.', color: 'default' },
    offline: { label: 'Offline', title: 'Live updates are paused; reconnecting. Reload to see the latest.', color: 'warning' },
};

/** The app bar's word on whether what the screen shows keeps itself up to date. */
export const LiveIndicator = () => {
    const state = useLiveState();
    const { label, title, color } = SHOWN[state];
    return (
        <Tooltip title={title}>
            <Chip size="small" label={label} color={color} aria-label={`Live updates: ${label}`} sx={{ mx: 1 }} />
        </Tooltip>
    );
};
