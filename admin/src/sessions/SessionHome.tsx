import { Box, Tab, Tabs } from '@mui/material';
import { Title } from 'react-admin';
import { useSearchParams } from 'react-router-dom';
import { MasterSchedule } from './schedule/MasterSchedule';
import { SessionList } from './SessionList';

/** Sessions open on the Master Schedule; the table stays a tab away (kept in the URL, so back returns to it). */
export const SessionHome = () => {
    const [params, setParams] = useSearchParams();
    const view = params.get('view') === 'list' ? 'list' : 'schedule';
    return (
        <Box>
            <Title title="Master Schedule" />
            <Tabs
                value={view}
                onChange={(_event, next: string) => setParams(next === 'list' ? { view: 'list' } : {})}
                sx={{ borderBottom: 1, borderColor: 'divider' }}
            >
                <Tab value="schedule" label="Schedule" />
                <Tab value="list" label="List" />
            </Tabs>
            {view === 'list' ? <SessionList /> : <MasterSchedule />}
        </Box>
    );
};
