import { Box } from '@mui/material';
import { Title } from 'react-admin';
import { LowBalanceClients } from './LowBalanceClients';
import { WelcomeCard } from './WelcomeCard';

export const Dashboard = () => (
    <Box
        sx={{
            display: 'grid',
            gap: 2,
            gridTemplateColumns: 'repeat(auto-fill, minmax(280px, 1fr))',
            alignItems: 'start',
            mt: 2,
        }}
    >
        <Title title="Studio Sessions" />
        <WelcomeCard />
        <LowBalanceClients />
    </Box>
);
