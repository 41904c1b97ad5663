import ClientIcon from '@mui/icons-material/People';
import { ClientList } from './ClientList';
import { ClientShow } from './ClientShow';

export default {
    list: ClientList,
    show: ClientShow,
    icon: ClientIcon,
    recordRepresentation: (client: { firstName: string; lastName: string }) => `${client.firstName} ${client.lastName}`,
};
