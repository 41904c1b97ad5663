/** A purchase as /api/admin/purchases lists it (amounts in minor units). */
export interface Purchase {
    id: number;
    clientId: number;
    packageId: number;
    sessions: number;
    amountCents: number;
    currency: string;
    status: string;
    refundedCents: number;
    refundedSessions: number;
    sessionsOwed: number;
    disputeStatus: string | null;
    stripeCheckoutSessionId: string | null;
    stripePaymentIntentId: string | null;
    workflowId: string | null;
    workflowUrl: string | null;
    createdAt: string;
    paidAt: string | null;
}

/**
 * What a refund would take back, for the preview only (the purchase workflow decides):
 * floor(refunded / price × sessions) in total, less what earlier refunds took.
 */
export const creditsTakenBack = (purchase: Purchase, refundCents: number) => {
    if (purchase.amountCents <= 0) {
        return 0;
    }
    const refunded = Math.min(purchase.amountCents, purchase.refundedCents + refundCents);
    const total = Math.min(purchase.sessions, Math.floor((refunded * purchase.sessions) / purchase.amountCents));
    return Math.max(0, total - purchase.refundedSessions);
};

/** The least amount that takes back `sessions` more credits (how the API prices a refund by sessions). */
export const amountForSessions = (purchase: Purchase, sessions: number) => {
    const already = Math.floor((purchase.refundedCents * purchase.sessions) / purchase.amountCents);
    return Math.ceil(((already + sessions) * purchase.amountCents) / purchase.sessions) - purchase.refundedCents;
};
