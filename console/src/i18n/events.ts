// System lines in the timeline, worded in the agent's language from the facts the API sends
// with each event (EntryView.params). The API's English body stays the fallback: for older
// entries without params, for event types this file does not know, and when a fact a line
// needs is missing.
import { formatDate, formatMoney } from "../format";
import type { Locale, Translate } from "./index";
import { carrierName, disputeReason, label, paymentStatus, shipmentStatus } from "./labels";

type Params = Record<string, string>;

/** LinePart is a piece of an event line: words, or a ticket to link to. */
export type LinePart = string | { ticket: string };

/** money reads params' amount (minor units) and currency, or undefined if either is missing. */
function money(p: Params, locale: Locale): string | undefined {
  if (!p.currency || !/^-?\d+$/.test(p.amount ?? "")) return undefined;
  return formatMoney({ amount: Number(p.amount), currency: p.currency }, locale) || undefined;
}

/** inSentence lower-cases a capitalised first word in English ("The card…" → "the card…"), not "CVC" or "3-D". */
function inSentence(s: string, locale: Locale): string {
  return locale === "en" && /^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}

/** ended gives s a full stop if it has none. */
function ended(s: string, locale: Locale): string {
  const trimmed = s.trim();
  return /[.!?。！？]$/.test(trimmed) ? trimmed : trimmed + (locale === "zh-CN" ? "。" : ".");
}

/** bare drops a provider text's own full stop, for a template that adds one. */
function bare(s: string): string {
  return s.trim().replace(/[.。\s]+$/, "");
}

function sentences(parts: (string | undefined | false)[], locale: Locale): string {
  return parts.filter(Boolean).join(locale === "zh-CN" ? "" : " ");
}

/**
 * eventLine words an event line from its type and params, or returns undefined when it cannot
 * (no params, an unknown type, a missing fact) and the caller shows the API's body.
 */
export function eventLine(type: string | undefined, params: Params | undefined, locale: Locale, t: Translate): string | undefined {
  if (!type || !params) return undefined;
  const p = params;
  switch (type) {
    case "payment.succeeded": {
      const amount = money(p, locale);
      return amount && t("event.paymentSucceeded", { amount });
    }
    case "ticket.merged": {
      const id = p.ticket_id?.trim();
      return id ? t("event.ticketMerged", { ticket: `#${id}` }) : undefined;
    }
    case "payment.failed": {
      const amount = money(p, locale);
      if (!amount) return undefined;
      const reason = label("decline", p.decline_code, locale) ?? p.failure_message;
      if (reason) return t("event.paymentFailedReason", { amount, reason: ended(inSentence(reason, locale), locale) });
      if (p.decline_code) return t("event.paymentFailedCode", { amount, code: p.decline_code });
      return t("event.paymentFailed", { amount });
    }
    case "payment.dispute_opened": {
      const amount = money(p, locale);
      if (!amount) return undefined;
      const opened = p.dispute_reason
        ? t("event.disputeOpenedReason", { amount, reason: inSentence(disputeReason(p.dispute_reason, locale), locale) })
        : t("event.disputeOpened", { amount });
      const due = p.evidence_due_by && t("event.evidenceDue", { date: formatDate(p.evidence_due_by, locale) });
      return sentences([opened, due], locale);
    }
    case "payment.dispute_closed": {
      const amount = money(p, locale);
      if (!amount || !p.dispute_status) return undefined;
      return t("event.disputeClosed", { amount, status: inSentence(paymentStatus(p.dispute_status, locale), locale) });
    }
    case "payment.refunded":
    case "payment.refund_updated": {
      const amount = money(p, locale);
      if (!amount || !p.refund_status) return undefined;
      return t("event.refund", { amount, status: inSentence(paymentStatus(p.refund_status, locale), locale) });
    }
    case "shipment.updated":
    case "shipment.exception":
    case "shipment.delayed": {
      if (!p.tracking_number || !p.shipment_status) return undefined;
      const parcel = p.carrier
        ? t("event.parcel", { carrier: carrierName(p.carrier), tracking: p.tracking_number })
        : t("event.parcelNoCarrier", { tracking: p.tracking_number });
      const status = shipmentStatus(p.shipment_status, locale);
      // AfterShip's sub-status text is English and often just repeats the tag ("In Transit").
      const letters = (x: string) => x.toLowerCase().replace(/[^a-z]/g, "");
      const detail = p.sub_status_message && letters(p.sub_status_message) !== letters(p.shipment_status) ? bare(p.sub_status_message) : "";
      return sentences(
        [
          detail ? t("event.shipmentDetail", { parcel, status, detail }) : t("event.shipment", { parcel, status }),
          p.last_scan && bare(p.last_scan) && t("event.lastScan", { scan: bare(p.last_scan) }),
          type === "shipment.delayed" && p.expected_delivery && t("event.expected", { date: formatDate(p.expected_delivery, locale) }),
        ],
        locale,
      );
    }
  }
  return undefined;
}

/**
 * eventParts is eventLine with the tickets it names as links: a ticket.merged line links the
 * ticket folded in (the API answers that id with the survivor, so the link leads here).
 */
export function eventParts(type: string | undefined, params: Params | undefined, locale: Locale, t: Translate): LinePart[] | undefined {
  const id = type === "ticket.merged" ? params?.ticket_id?.trim() : undefined;
  if (id) {
    // t without vars gives the template, split where the link goes.
    const [before, ...after] = t("event.ticketMerged").split("{ticket}");
    if (after.length === 1) return [before, { ticket: id }, after[0]].filter((x) => x !== "");
  }
  const line = eventLine(type, params, locale, t);
  return line ? [line] : undefined;
}
