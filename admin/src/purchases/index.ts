import PurchaseIcon from '@mui/icons-material/ShoppingCart';
import { PurchaseList } from './PurchaseList';
import { PurchaseShow } from './PurchaseShow';

export default {
    list: PurchaseList,
    show: PurchaseShow,
    icon: PurchaseIcon,
    // react-admin titles it "Purchase #12" from the resource's name and this.
    recordRepresentation: (purchase: { id: string | number }) => `#${purchase.id}`,
};
