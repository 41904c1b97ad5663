import AllocationIcon from '@mui/icons-material/AddCard';
import { AllocationPage } from './AllocationPage';

/** Not a resource of its own: a page over the allocation action and the ledger. */
export default {
    path: '/allocations',
    page: AllocationPage,
    icon: AllocationIcon,
    label: 'Add / remove sessions',
};
