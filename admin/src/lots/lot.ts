/** A credit lot as GET /api/admin/lots answers it. */
export interface Lot {
    id: number;
    clientId: number;
    source: 'purchase' | 'allocation' | 'restore';
    purchaseId: number | null;
    quantity: number;
    /** 0 once the lot has passed its expiry. */
    remaining: number;
    expiresAt: string | null;
    expired: boolean;
    createdAt: string;
}

const SOURCE_LABELS: Record<Lot['source'], string> = {
    purchase: 'Purchase',
    allocation: 'Given by the studio',
    restore: 'Restored after a dispute',
};

export const sourceLabel = (lot: Lot) =>
    lot.source === 'purchase' && lot.purchaseId ? `Purchase #${lot.purchaseId}` : SOURCE_LABELS[lot.source];
