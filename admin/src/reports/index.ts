import ReportsIcon from '@mui/icons-material/Assessment';
import { ReportsPage } from './ReportsPage';

/** Not a resource: the owner's reports over the ledger (README, "Reports"). */
export default {
    path: '/reports',
    page: ReportsPage,
    icon: ReportsIcon,
    label: 'Reports',
};
