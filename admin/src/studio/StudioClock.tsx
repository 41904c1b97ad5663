import { Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { formatTime } from '../dates/formats';
import { useStudio } from './useStudio';

/** "Europe/London · 14:05": the zone every date on screen is in, and the studio's time now. */
export const StudioClock = () => {
    const { data: studio } = useStudio();
    const [now, setNow] = useState(() => new Date());
    useEffect(() => {
        const timer = setInterval(() => setNow(new Date()), 15_000);
        return () => clearInterval(timer);
    }, []);
    if (!studio) {
        return null;
    }
    return (
        <Typography
            variant="body2"
            data-testid="studio-clock"
            title="The studio's time zone: every date here is in it"
            sx={{ mx: 1, whiteSpace: 'nowrap' }}
        >
            {studio.timeZone} · {formatTime(now)}
        </Typography>
    );
};
