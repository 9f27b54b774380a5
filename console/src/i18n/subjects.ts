// Ticket subject lines, worded in the agent's language from the ticket's category and what it
// is about (subject_ref). The API's English subject stays the fallback: for older data without
// subject_ref, and for a kind or category this file does not know. A "topic" is the customer's
// own subject line and is shown as they wrote it.
import { categories, subjectRefKinds, type TicketSummary } from "../api/types";
import type { MessageKey } from "./en";
import type { Translate } from "./index";

const han = /\p{Script=Han}/u;
/** Han, whitespace, or CJK/full-width punctuation: no space needed next to Han. */
const noGap = /[\p{Script=Han}\s\u3000-\u303f\uff00-\uffef]/u;

/** gap says whether a space belongs between two characters: Han next to Latin, digits or symbols. */
function gap(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  return (han.test(a) && !noGap.test(b)) || (han.test(b) && !noGap.test(a));
}

/**
 * fill puts value into template's {name}, with a space where Han text meets a Latin value
 * ("关于{ref}的消息" + "anna@example.de" → "关于 anna@example.de 的消息"), none between Han
 * ("关于订单 10482 的消息"). Only the joins get spaces; the value is not touched.
 */
export function fill(template: string, name: string, value: string): string {
  const parts = template.split(`{${name}}`);
  let out = parts[0];
  for (const next of parts.slice(1)) {
    const before = gap(out.at(-1), value.at(0)) ? " " : "";
    const after = gap(value.at(-1), next.at(0)) ? " " : "";
    out += before + value + after + next;
  }
  return out;
}

/**
 * ticketSubject words a ticket's subject line in the UI language, or returns the API's
 * English subject when it cannot.
 */
export function ticketSubject(x: Pick<TicketSummary, "subject" | "category" | "subject_ref">, t: Translate): string {
  const ref = x.subject_ref;
  if (!ref || typeof ref.value !== "string" || !ref.value.trim() || !subjectRefKinds.includes(ref.kind)) return x.subject;
  if (ref.kind === "topic") return ref.value;
  if (!categories.includes(x.category)) return x.subject;
  // t without vars gives the template with its placeholders, for fill to space the joins.
  const phrase = fill(t(`subjectRef.${ref.kind}` as MessageKey), "value", ref.value);
  return fill(t(`subject.${x.category}` as MessageKey), "ref", phrase);
}
