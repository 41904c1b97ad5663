/**
 * The few HTML pages of checkout: the simulator's test checkout (only without Stripe keys)
 * and the page Checkout returns to. Plain forms, no scripts, so the API's strict CSP holds.
 */

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

export const formatMoney = (cents: number, currency: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);

const SIMULATOR_LABEL = 'Test checkout — simulator, no card is charged';

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 34rem; margin: 3rem auto; padding: 0 1rem; color: #1d2430; }
  .banner { background: #fff4d6; border: 1px solid #e0b84c; border-radius: 6px; padding: .75rem 1rem; font-weight: 600; }
  .item { border: 1px solid #d8dde6; border-radius: 6px; padding: 1rem; margin: 1.25rem 0; }
  form { margin: .6rem 0; }
  button { width: 100%; padding: .7rem; font-size: 1rem; border-radius: 6px; border: 1px solid #3656c9; background: #3f63e0; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #3656c9; }
  button.danger { background: #fff; color: #b3261e; border-color: #b3261e; }
  small { color: #5b6473; }
</style></head><body>${body}</body></html>`;
}

export interface SimulatorPageData {
  purchaseId: number;
  token: string;
  packageName: string;
  sessions: number;
  amountCents: number;
  currency: string;
  email: string;
  status: string;
  settleSeconds: number;
}

export function simulatorPage(data: SimulatorPageData): string {
  const action = `/checkout/simulator/${data.purchaseId}/pay`;
  const button = (method: string, label: string, style = '') => `
    <form method="post" action="${action}">
      <input type="hidden" name="token" value="${escape(data.token)}">
      <input type="hidden" name="method" value="${method}">
      <button type="submit" class="${style}">${escape(label)}</button>
    </form>`;
  const payable = data.status === 'pending';
  return layout(
    SIMULATOR_LABEL,
    `
    <p class="banner">${SIMULATOR_LABEL}. This studio runs without Stripe keys: the buttons below send the same
      signed webhooks Stripe would, through the real verification and crediting path.</p>
    <div class="item">
      <h2>${escape(data.packageName)}</h2>
      <p>${data.sessions} sessions · <strong>${escape(formatMoney(data.amountCents, data.currency))}</strong></p>
      <p><small>Purchase #${data.purchaseId} for ${escape(data.email)}</small></p>
    </div>
    ${
      payable
        ? `
      ${button('card', 'Pay with a test card (paid at once)')}
      ${button('bank_debit', `Pay by test bank debit (settles after ${data.settleSeconds} s)`, 'secondary')}
      ${button('bank_debit_fails', 'Pay by test bank debit that fails', 'danger')}`
        : `<p>This purchase is <strong>${escape(data.status)}</strong>; there is nothing to pay.</p>`
    }
    <p><small>Simulator: no payment network is contacted and no money moves.</small></p>`,
  );
}

export type CheckoutResult = 'paid' | 'processing' | 'cancelled' | 'failed' | 'success';

export function checkoutReturnPage(purchaseId: number | undefined, result: CheckoutResult, simulator: boolean): string {
  const messages: Record<CheckoutResult, string> = {
    success: 'Thank you! Your payment was received; your sessions appear in your balance within moments.',
    paid: 'Thank you! Your payment was received; your sessions appear in your balance within moments.',
    processing: 'Your bank payment is processing; your sessions appear in your balance as soon as it settles.',
    failed: 'The payment did not go through; nothing was charged and no sessions were added.',
    cancelled: 'Checkout was cancelled; nothing was charged.',
  };
  return layout(
    'Checkout',
    `
    ${simulator ? `<p class="banner">${SIMULATOR_LABEL}</p>` : ''}
    <h2>${escape(messages[result])}</h2>
    ${purchaseId ? `<p><small>Purchase #${purchaseId}</small></p>` : ''}`,
  );
}
