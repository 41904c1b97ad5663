/** The ledger's few verbs, as the front desk says them. */
const KIND_LABELS: Record<string, string> = {
    grant: 'Given',
    hold: 'Held for a booking',
    release: 'Released',
    consume: 'Consumed',
    expire: 'Expired',
    revoke: 'Taken back (refund)',
    // An admin's correction: sessions removed, or a lot's expiry moved (the reason says which).
    adjust: 'Adjusted',
};

export const kindLabel = (kind: string) => KIND_LABELS[kind] ?? kind;

export const KIND_CHOICES = Object.entries(KIND_LABELS).map(([id, name]) => ({ id, name }));
