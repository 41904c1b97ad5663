import { inject } from 'vitest';

/** A message as Mailpit's HTTP API lists it, with its bodies and headers read in full. */
export interface ArrivedMessage {
  id: string;
  messageId: string;
  subject: string;
  to: string[];
  text: string;
  html: string;
  headers: Record<string, string[]>;
}

interface Summary {
  ID: string;
  MessageID: string;
  Subject: string;
  To: Array<{ Address: string }>;
}

async function mailpitJson<T>(path: string, base = inject('mailpitHttpUrl')): Promise<T> {
  const response = await fetch(`${base}${path}`);
  if (!response.ok) throw new Error(`Mailpit ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Everything delivered to one address (each test's accounts have their own), oldest first. */
export async function messagesTo(address: string, base?: string): Promise<ArrivedMessage[]> {
  const found = await mailpitJson<{ messages: Summary[] }>(
    `/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=1000`,
    base,
  );
  const messages = await Promise.all(
    found.messages.map(async (summary) => {
      const full = await mailpitJson<{ Text: string; HTML: string }>(`/api/v1/message/${summary.ID}`, base);
      const headers = await mailpitJson<Record<string, string[]>>(`/api/v1/message/${summary.ID}/headers`, base);
      return {
        id: summary.ID,
        messageId: summary.MessageID,
        subject: summary.Subject,
        to: summary.To.map((to) => to.Address),
        text: full.Text,
        html: full.HTML,
        headers,
      };
    }),
  );
  return messages.reverse();
}
