import PackageIcon from '@mui/icons-material/CardGiftcard';
import { PackageCreate } from './PackageCreate';
import { PackageEdit } from './PackageEdit';
import { PackageList } from './PackageList';

export default {
    list: PackageList,
    create: PackageCreate,
    edit: PackageEdit,
    icon: PackageIcon,
    recordRepresentation: 'name',
};
