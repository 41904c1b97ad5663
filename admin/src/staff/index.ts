import StaffIcon from '@mui/icons-material/Badge';
import { personName } from '../accounts/account';
import { StaffCreate } from './StaffCreate';
import { StaffEdit } from './StaffEdit';
import { StaffList } from './StaffList';

export default {
    list: StaffList,
    create: StaffCreate,
    edit: StaffEdit,
    icon: StaffIcon,
    options: { label: 'Staff' },
    recordRepresentation: personName,
};
