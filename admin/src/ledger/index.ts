import LedgerIcon from '@mui/icons-material/ReceiptLong';
import { LedgerList } from './LedgerList';

export default {
    list: LedgerList,
    icon: LedgerIcon,
    // A ledger is one book, not "Ledgers".
    options: { label: 'Ledger' },
    recordRepresentation: (entry: { kind: string; delta: number }) => `${entry.kind} ${entry.delta}`,
};
