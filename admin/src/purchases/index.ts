import PurchaseIcon from '@mui/icons-material/ShoppingCart';
import { PurchaseList } from './PurchaseList';

export default {
    list: PurchaseList,
    icon: PurchaseIcon,
    recordRepresentation: (purchase: { id: string | number }) => `Purchase #${purchase.id}`,
};
