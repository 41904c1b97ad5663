import BookingIcon from '@mui/icons-material/EventSeat';
import { BookingList } from './BookingList';

export default {
    list: BookingList,
    icon: BookingIcon,
    recordRepresentation: (booking: { clientName: string; startsAt: string }) =>
        `${booking.clientName}, ${new Date(booking.startsAt).toLocaleString()}`,
};
